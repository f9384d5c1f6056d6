"""Email each pair its packet, or a reminder of the forms it still owes, exactly once.

- ``sending``: ``send_packets`` and ``send_reminders`` (plan the whole run, consult and append
  to the send log ``OUT/send-log.jsonl``, deliver), their ``SendResult`` of one ``Outcome`` per
  pair and the outcome statuses (``SENT``, ``WOULD_SEND``, ``ALREADY_SENT``, ...).
- ``messages``: the email itself: ``EmailTemplate`` (coordinator-editable, Jinja in a sandbox),
  ``RenderedEmail``, address checking (``make_address``, ``parse_address``) and the MIME
  message (``build_message``, its files as ``Attachment``).
- ``transports``: how messages leave: ``SMTPTransport`` and ``OutboxTransport`` behind the
  ``Transport`` protocol, their ``Delivery``, the two ways a send fails (``MessageRefused``,
  ``ConnectionFailed``) and the ``RateLimiter``.

Nothing here prints and nothing here reads returned forms (that is ``collect``). Errors are
``SendError`` (``mentordocs.errors``) and its subclasses.
"""

from __future__ import annotations

from mentordocs.send.messages import (
    Attachment,
    EmailTemplate,
    EmailTemplateError,
    RenderedEmail,
    build_message,
    email_templates_dir,
    format_date,
    make_address,
    parse_address,
    text_to_html,
)
from mentordocs.send.sending import (
    ALREADY_SENT,
    CHANGED,
    FAILED,
    NOT_REACHED,
    PACKET,
    REMINDER,
    SENT,
    SKIPPED,
    WOULD_SEND,
    InterruptedMidMessage,
    Outcome,
    SendResult,
    StoppedBySignal,
    send_packets,
    send_reminders,
)
from mentordocs.send.transports import (
    ConnectionFailed,
    Delivery,
    MessageRefused,
    OutboxTransport,
    RateLimiter,
    SMTPTransport,
    Transport,
)

__all__ = [
    "ALREADY_SENT",
    "CHANGED",
    "FAILED",
    "NOT_REACHED",
    "PACKET",
    "REMINDER",
    "SENT",
    "SKIPPED",
    "WOULD_SEND",
    "Attachment",
    "ConnectionFailed",
    "Delivery",
    "EmailTemplate",
    "EmailTemplateError",
    "MessageRefused",
    "OutboxTransport",
    "InterruptedMidMessage",
    "StoppedBySignal",
    "Outcome",
    "RateLimiter",
    "RenderedEmail",
    "SMTPTransport",
    "SendResult",
    "Transport",
    "build_message",
    "email_templates_dir",
    "format_date",
    "make_address",
    "parse_address",
    "send_packets",
    "send_reminders",
    "text_to_html",
]
