"""Sign-in throttling: failed sign-ins are counted per account and per client address; too many
within the window lock that account (or address) for the same length of time.

With the defaults, 5 failed sign-ins for one user name within 15 minutes lock that name for 15
minutes from the failure that locked it, and 20 failures from one address lock the address (an
office behind one address has many workers, so its limit is higher). While locked, even the right
password is refused. A successful sign-in clears the account's failures; an administrator who
sets a new password for the account lifts its lock. Any typed name counts,
existing or not, so a lock says nothing about which accounts exist.

Counts are kept by ``limits`` (the maintained library beneath Flask-Limiter; its route decorators
count requests, not failures, and cannot clear one account's count) in the service's Redis, so
every web process agrees; when Redis does not answer they are kept in this process's memory
for a while (a warning is logged), so signing in never depends on Redis. The keys are sha256
digests: neither user names nor addresses are stored or logged in clear.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

log = logging.getLogger("ccap.web.throttle")

RETRY_REDIS_SECONDS = 30        # after Redis failed, count in memory this long before retrying


@dataclass(frozen=True)
class Lock:
    what: str                   # "account" or "address"
    until: float                # epoch seconds

    @property
    def seconds_left(self) -> int:
        return max(1, int(self.until - time.time() + 0.999))

    @property
    def minutes_left(self) -> int:
        return -(-self.seconds_left // 60)


class LoginThrottle:
    def __init__(self, storage_uri: str | None, per_account: int = 5, per_address: int = 20,
                 seconds: int = 15 * 60):
        self.limits = {"account": RateLimitItemPerSecond(per_account, seconds),
                       "address": RateLimitItemPerSecond(per_address, seconds)}
        self.lock = RateLimitItemPerSecond(1, seconds)      # one hit = locked for the window
        self.seconds = seconds
        self._shared = storage_from_string(storage_uri, socket_connect_timeout=0.5,
                                           socket_timeout=0.5) if storage_uri else None
        self._memory: MemoryStorage | None = None          # made when first needed
        self._shared_down_until = 0.0

    # -- what the login view asks ----------------------------------------------------------

    def locked(self, username: str, address: str | None) -> Lock | None:
        """The lock on this user name or address, if either is locked now."""
        return self._run(lambda s: self._locked(s, self._keys(username, address)))

    def failed(self, username: str, address: str | None) -> Lock | None:
        """Count a failed sign-in; the lock it sets, if this failure was one too many."""
        return self._run(lambda s: self._failed(s, self._keys(username, address)))

    def forget(self, username: str) -> None:
        """Clear the account's failures and lock: after a successful sign-in, or when an
        administrator sets a new password for it."""
        def clear(storage: Storage) -> None:
            for what, ident in self._keys(username, None):
                MovingWindowRateLimiter(storage).clear(self.limits[what], *ident)
                FixedWindowRateLimiter(storage).clear(self.lock, *ident)
        self._run(clear)

    # -- counting --------------------------------------------------------------------------

    @staticmethod
    def _keys(username: str, address: str | None) -> list[tuple[str, tuple[str, ...]]]:
        keys = []
        for what, value in (("account", username.strip().lower()), ("address", address)):
            if value:
                keys.append((what, ("login", what, hashlib.sha256(value.encode()).hexdigest())))
        return keys

    def _locked(self, storage: Storage, keys) -> Lock | None:
        locks = FixedWindowRateLimiter(storage)
        for what, ident in keys:
            if not locks.test(self.lock, *ident):
                return Lock(what, locks.get_window_stats(self.lock, *ident).reset_time)
        return None

    def _failed(self, storage: Storage, keys) -> Lock | None:
        failures, locks = MovingWindowRateLimiter(storage), FixedWindowRateLimiter(storage)
        new = None
        for what, ident in keys:
            failures.hit(self.limits[what], *ident)
            if not failures.test(self.limits[what], *ident) and locks.hit(self.lock, *ident):
                failures.clear(self.limits[what], *ident)     # the lock now speaks for them
                new = new or Lock(what, time.time() + self.seconds)
        return new

    def _run(self, step):
        """``step(storage)`` on Redis, or on this process's memory while Redis is down."""
        if self._shared is not None and time.monotonic() >= self._shared_down_until:
            try:
                return step(self._shared)
            except Exception as e:              # noqa: BLE001 - any storage failure
                self._shared_down_until = time.monotonic() + RETRY_REDIS_SECONDS
                log.warning("sign-in throttle: Redis unreachable (%s); counting in this "
                            "process's memory for %d s", type(e).__name__, RETRY_REDIS_SECONDS)
        if self._memory is None:
            self._memory = MemoryStorage()
        return step(self._memory)


__all__ = ["LoginThrottle", "Lock"]
