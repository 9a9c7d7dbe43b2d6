"""The ``ccap`` command line: one subcommand per job, each a thin call into the package.

Every command reads ``CCAP_DATA_DIR``, ``DATABASE_URL`` and ``REDIS_URL`` (``intake.config``)
and applies the database migrations before it starts, so a fresh data directory just works.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from intake import config as ccap_config


def _store():
    from intake.store import Store
    return Store.open(ccap_config.load())


def _ingest(args: argparse.Namespace) -> int:
    from intake import ingest
    store = _store()
    results, status = [], 0
    for name in args.files:
        path = Path(name)
        try:
            result = ingest.ingest_path(store, path, channel=args.channel)
        except (OSError, ValueError) as e:
            print(f"{path.name}: not taken: {type(e).__name__}: {e}", file=sys.stderr)
            status = 1
            continue
        results.append(result)
        label = "duplicate" if result.duplicate else ("queued" if result.queued else "stored")
        if result.children:
            label = f"split into {len(result.children)} attachments"
        if result.state == "failed":
            label = f"failed: {result.reason}"
        print(f"{path.name}: submission {result.submission_id} {label}", file=sys.stderr)
    if args.wait:
        ids = [c.submission_id for r in results for c in (r.children or [r])]
        out = wait_for(store, ids, args.timeout)
        print(json.dumps(out if len(out) != 1 else out[0], indent=2))
        if any(s["state"] != "done" for s in out):
            status = status or 2
    return status


def wait_for(store, ids: list[int], timeout: float) -> list[dict]:
    """Block until every submission in ``ids`` is done or failed; their JSON."""
    from intake.store import Submission
    deadline = time.monotonic() + timeout
    while True:
        with store.session() as s:
            subs = [s.get(Submission, i) for i in ids]
            if all(x.state in ("done", "failed", "split") for x in subs) \
                    or time.monotonic() > deadline:
                return [x.to_json() for x in subs]
        time.sleep(0.5)


def _watch(args: argparse.Namespace) -> int:
    from intake.watch import Watcher
    Watcher(_store(), Path(args.dir), settle=args.settle).run(interval=args.interval)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from workers import worker
    return worker.run(ccap_config.load(), burst=args.burst, name=args.name)


def _reconcile(args: argparse.Namespace) -> int:
    from workers import queue
    config = ccap_config.load()
    store = _store()
    while True:
        try:
            print(json.dumps(queue.reconcile(config, store)), flush=True)
        except Exception as e:       # noqa: BLE001 - in --every mode, try again next time
            if not args.every:
                raise
            logging.getLogger("ccap.reconcile").warning("reconcile failed: %s", e)
        if not args.every:
            return 0
        time.sleep(args.every)


def _retry(args: argparse.Namespace) -> int:
    from workers import queue
    config = ccap_config.load()
    store = _store()
    status = 0
    for sub_id in args.ids:
        if queue.retry(config, sub_id, store):
            print(f"submission {sub_id}: queued again", file=sys.stderr)
        else:
            print(f"submission {sub_id}: not failed (or not found); nothing to retry",
                  file=sys.stderr)
            status = 1
    return status


def _show(args: argparse.Namespace) -> int:
    from intake.store import Submission
    store = _store()
    with store.session() as s:
        sub = s.get(Submission, args.id)
        if sub is None:
            print(f"no submission {args.id}", file=sys.stderr)
            return 1
        print(json.dumps(sub.to_json(), indent=2))
    return 0


def _stats(args: argparse.Namespace) -> int:
    from intake import metrics
    print(json.dumps(metrics.collect(_store()), indent=2, default=str))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from web.app import create_app
    _store()
    create_app().run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def _user(args: argparse.Namespace) -> int:
    from intake.store import create_user
    store = _store()
    with store.session() as s:
        create_user(s, args.username, args.password, args.role, args.name)
    print(f"user {args.username} ({args.role}) saved", file=sys.stderr)
    return 0


def _token(args: argparse.Namespace) -> int:
    from intake.store import issue_token
    store = _store()
    with store.session() as s:
        token = issue_token(s, args.name, args.channel)
    print(token)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from intake import demo
    return demo.run(port=args.port, workers=args.workers, once=args.once,
                    samples=Path(args.samples))


def _extract(args: argparse.Namespace) -> int:
    """Print the extract JSON of one file; exit 2 with one line on stderr if it can't be read."""
    import json
    from pathlib import Path

    from extractors import pipeline
    from extractors.errors import ExtractError

    try:
        extract = pipeline.extract_file(Path(args.file), received_at=args.received_at)
    except ExtractError as error:
        print(f"ccap extract: {args.file}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"ccap extract: {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(json.dumps(extract.to_json(), indent=2 if args.pretty else None))
    return 0


def _audit(argv: list[str]) -> int:
    """``ccap audit match|sample|list|show ...`` (see ``web/audit.py``)."""
    from web import audit
    return audit.run_cli(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["audit"]:
        return _audit(argv[1:])
    parser = argparse.ArgumentParser(prog="ccap", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print one file's extract as JSON (no service needed)")
    p.add_argument("file")
    p.add_argument("--received-at", help="ISO 8601 time it was received (default: sidecar, "
                   "fax header, e-mail Date)")
    p.add_argument("--pretty", action="store_true")
    p.set_defaults(run=_extract)

    p = sub.add_parser("ingest", help="store and queue files (as a gateway would)")
    p.add_argument("files", nargs="+")
    p.add_argument("--channel", help="fax, email, upload, ... (default: sidecar, else upload)")
    p.add_argument("--wait", action="store_true", help="wait and print the result as JSON")
    p.add_argument("--timeout", type=float, default=900)
    p.set_defaults(run=_ingest)

    p = sub.add_parser("watch", help="take files from a drop folder")
    p.add_argument("dir")
    p.add_argument("--settle", type=float, default=2.0,
                   help="seconds a file's size must stay the same before it is taken")
    p.add_argument("--interval", type=float, default=1.0)
    p.set_defaults(run=_watch)

    p = sub.add_parser("worker", help="run an rq worker on the project's queues")
    p.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    p.add_argument("--name")
    p.set_defaults(run=_worker)

    p = sub.add_parser("reconcile", help="queue again whatever is stuck")
    p.add_argument("--every", type=float, metavar="SECONDS",
                   help="keep running, once every SECONDS (a supervisor's periodic check)")
    p.set_defaults(run=_reconcile)

    p = sub.add_parser("retry", help="start failed submissions again")
    p.add_argument("ids", nargs="+", type=int)
    p.set_defaults(run=_retry)

    p = sub.add_parser("show", help="a submission with its documents as JSON")
    p.add_argument("id", type=int)
    p.set_defaults(run=_show)

    p = sub.add_parser("stats", help="the figures /metrics serves, as JSON")
    p.set_defaults(run=_stats)

    p = sub.add_parser("serve", help="the review web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(run=_serve)

    p = sub.add_parser("user", help="create or update a user")
    p.add_argument("username")
    p.add_argument("--password", required=True)
    p.add_argument("--role", choices=("worker", "auditor", "admin"), default="worker")
    p.add_argument("--name")
    p.set_defaults(run=_user)

    p = sub.add_parser("token", help="issue a gateway's bearer token (printed once)")
    p.add_argument("name")
    p.add_argument("--channel", required=True)
    p.set_defaults(run=_token)

    # ``ccap audit ...`` hands all its arguments to web/audit.py's own parser (see main below)
    sub.add_parser("audit", help="claims audits: attendance vs billing, monthly samples")

    p = sub.add_parser("demo", help="run the whole service on the committed samples")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--samples", default="sample_scans")
    p.add_argument("--once", action="store_true",
                   help="stop once every sample is processed (for scripts)")
    p.set_defaults(run=_demo)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
