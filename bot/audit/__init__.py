"""The tamper-evident audit log: the hash chain (``chain``), an entry as the secretariat
reads it (``render``) and the ``audit`` command (``commands``)."""

from bot.audit.chain import (
    CHAIR,
    DELEGATE,
    GENESIS,
    SECRETARIAT,
    SYSTEM,
    Verdict,
    append,
    canonical,
    delegate_of,
    digest,
    verify,
)

__all__ = ["CHAIR", "DELEGATE", "GENESIS", "SECRETARIAT", "SYSTEM", "Verdict", "append",
           "canonical", "delegate_of", "digest", "verify"]
