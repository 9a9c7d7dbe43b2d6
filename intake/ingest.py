"""Taking a file in: keep the original, record the submission, queue the work.

The order is the whole point (nothing may be lost when a process dies between two steps):

1. the bytes are written untouched to ``originals/ab/cd/<sha256>`` (temp file, fsync, rename),
   *before* anything else;
2. one transaction records the submission (state ``received``), or, when those bytes are
   already stored, a :class:`~intake.store.Duplicate` row on the existing submission;
3. the first job is queued and the state becomes ``queued``.

A crash after 1 leaves a stored original and no row: the gateway still has its file (the watcher
moves it to ``done/`` only after 3) and delivers it again. A crash after 2 leaves a ``received``
row, which ``ccap reconcile`` queues. Delivering the same file again after a crash between 2 and
3 is a retry of that delivery, not a duplicate.

An e-mail (``.eml``) is split here into its attachments, each its own submission with the
message's sender and ``Date`` (the message itself is kept too, state ``split``).
"""
from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import io
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extractors import load
from intake.store import Duplicate, Store, Submission

log = logging.getLogger(__name__)

# What the pipeline reads, told by content (``extractors.load.sniff``) not by name; anything
# else in an e-mail (a Word file, a vCard) is skipped, and so are images too small to be a page.
ATTACHMENT_KINDS = {"pdf", "tiff", "jpeg", "png"}


@dataclass
class Delivery:
    """What a gateway tells us about a file besides its bytes (the sidecar ``FILE.json``)."""
    filename: str
    channel: str = "upload"
    sender: str | None = None
    received_at: str | None = None      # ISO 8601 with offset


@dataclass
class Result:
    submission_id: int
    duplicate: bool = False
    queued: bool = False
    state: str = "received"
    reason: str | None = None
    children: list["Result"] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        """Nothing is left for the deliverer: queued, a duplicate, or finished at intake (an
        e-mail split and every attachment queued, or refused with a reason). Until then a
        gateway keeps its file and delivers it again."""
        return self.duplicate or self.queued or self.state in ("split", "failed")

    def to_json(self) -> dict:
        out = {"submission": self.submission_id, "duplicate": self.duplicate,
               "queued": self.queued, "state": self.state}
        if self.reason:
            out["reason"] = self.reason
        if self.children:
            out["attachments"] = [c.to_json() for c in self.children]
        return out


def read_sidecar(path: Path) -> dict:
    """The gateway's sidecar ``FILE.json`` next to ``path`` (``{}`` when there is none).
    A sidecar that is not valid JSON is reported, not silently ignored."""
    side = path.with_name(path.name + ".json")
    if not side.exists():
        return {}
    data = json.loads(side.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("sidecar is not a JSON object")
    return data


def delivery_for(path: Path, channel: str | None = None, default: str = "upload") -> Delivery:
    """``channel`` given (``ccap ingest --channel``) wins; else the sidecar's; else
    ``default`` (the watcher passes the gateway's folder name)."""
    side = read_sidecar(path)
    if Path(path).suffix.lower() == ".eml" and default == "upload":
        default = "email"
    return Delivery(filename=path.name,
                    channel=channel or side.get("channel") or default,
                    sender=side.get("sender"), received_at=side.get("received_at"))


def store_original(store: Store, data: bytes) -> str:
    """Write ``data`` under its sha256 (once; atomically) and return the hash."""
    sha = hashlib.sha256(data).hexdigest()
    dest = store.config.original_path(sha)
    if dest.exists() and dest.stat().st_size == len(data):
        return sha
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return sha


def record(store: Store, sha: str, size: int, delivery: Delivery,
           parent_id: int | None = None, state: str = "received") -> tuple[int, bool, str]:
    """Record a submission for stored bytes ``sha``: ``(id, duplicate, state)``.

    Same bytes already recorded: a Duplicate row, unless the first delivery never got queued
    (state ``received``) and this is the same file again - that is a retry, not a duplicate."""
    for _ in range(2):        # a second try when another process inserted the same sha meanwhile
        try:
            with store.session() as s:
                sub = s.scalar(select(Submission).where(Submission.sha256 == sha))
                if sub is None:
                    sub = Submission(sha256=sha, filename=delivery.filename[:255], size=size,
                                     channel=delivery.channel, sender=delivery.sender,
                                     received_at=delivery.received_at, parent_id=parent_id,
                                     state=state)
                    s.add(sub)
                    s.flush()
                    return sub.id, False, sub.state
                if sub.state == "received" and sub.filename == delivery.filename[:255]:
                    return sub.id, False, sub.state      # a retry of a delivery never queued
                if parent_id is not None and sub.parent_id == parent_id:
                    return sub.id, False, sub.state      # the same e-mail split again
                s.add(Duplicate(submission_id=sub.id, filename=delivery.filename[:255],
                                channel=delivery.channel, sender=delivery.sender,
                                received_at=delivery.received_at))
                return sub.id, True, sub.state
        except IntegrityError:
            continue
    raise RuntimeError("could not record submission")


def ingest_bytes(store: Store, data: bytes, delivery: Delivery, enqueue: bool = True,
                 parent_id: int | None = None) -> Result:
    """Store, record and queue one delivered file (see the module docstring for the order)."""
    is_email = Path(delivery.filename).suffix.lower() == ".eml" or load.sniff(data) == "eml"
    sha = store_original(store, data)
    sub_id, duplicate, state = record(store, sha, len(data), delivery, parent_id,
                                      state="received")
    result = Result(sub_id, duplicate=duplicate, state=state)
    if duplicate:
        log.info("submission %s: duplicate delivery recorded", sub_id)
        return result
    if is_email:
        return _split_email(store, result, data, delivery, enqueue) if state == "received" \
            else result
    if enqueue and state == "received":
        from workers import queue
        result.queued = queue.enqueue_submission(store.config, sub_id, store)
    return result


def ingest_path(store: Store, path: Path, channel: str | None = None,
                enqueue: bool = True) -> Result:
    return ingest_bytes(store, path.read_bytes(), delivery_for(path, channel), enqueue)


def _set_state(store: Store, sub_id: int, state: str, reason: str | None = None) -> None:
    with store.session() as s:
        sub = s.get(Submission, sub_id)
        sub.state, sub.reason = state, reason


def email_delivery(msg: email.message.EmailMessage, outer: Delivery) -> Delivery:
    """Sender and time of an e-mail: the gateway's sidecar wins, else the message headers."""
    sender = outer.sender
    if not sender and msg["From"]:
        sender = email.utils.parseaddr(str(msg["From"]))[1] or None
    received_at = outer.received_at
    if not received_at and msg["Date"]:
        try:
            received_at = email.utils.parsedate_to_datetime(str(msg["Date"])).isoformat()
        except (TypeError, ValueError):
            received_at = None
    return Delivery(outer.filename, outer.channel if outer.channel != "upload" else "email",
                    sender, received_at)


def attachments(data: bytes) -> tuple[email.message.EmailMessage, list[tuple[str, bytes]]]:
    """The message and its attachments we can read, as ``(filename, bytes)`` in order."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    found = []
    for n, part in enumerate(msg.iter_attachments() if msg.is_multipart() else []):
        payload = part.get_payload(decode=True)
        kind = load.sniff(payload) if payload else None
        if kind not in ATTACHMENT_KINDS or (kind in ("jpeg", "png") and _too_small(payload)):
            continue
        name = Path(part.get_filename() or f"attachment-{n + 1}.{kind}").name
        found.append((name, payload))
    return msg, found


def _too_small(data: bytes) -> bool:
    """An image smaller than a page could be at all: a logo or a signature picture."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return min(im.size) < load.MIN_PAGE_PX
    except OSError:
        return False


def _split_email(store: Store, result: Result, data: bytes, delivery: Delivery,
                 enqueue: bool) -> Result:
    """Each attachment its own submission; the e-mail becomes ``split`` once every one is
    queued (until then it stays ``received`` and a new delivery or ``reconcile`` splits it
    again, which finds the attachments already recorded)."""
    msg, parts = attachments(data)
    outer = email_delivery(msg, delivery)
    if not parts:
        result.state = "failed"
        result.reason = "e-mail has no PDF, TIFF, JPEG or PNG attachment"
        _set_state(store, result.submission_id, result.state, result.reason)
        return result
    for name, payload in parts:
        child = Delivery(name, outer.channel, outer.sender, outer.received_at)
        result.children.append(ingest_bytes(store, payload, child, enqueue,
                                            parent_id=result.submission_id))
    if all(c.settled or c.state != "received" for c in result.children):
        result.state = "split"
        _set_state(store, result.submission_id, "split")
    return result


def resume_email(store: Store, sub_id: int) -> Result:
    """Split again an e-mail whose attachments were not all queued (``reconcile``)."""
    with store.session() as s:
        sub = s.get(Submission, sub_id)
        delivery = Delivery(sub.filename, sub.channel, sub.sender, sub.received_at)
        data = store.config.original_path(sub.sha256).read_bytes()
    return _split_email(store, Result(sub_id), data, delivery, enqueue=True)


def is_email(filename: str) -> bool:
    return Path(filename).suffix.lower() == ".eml"
