"""The edges: Slack over HTTP (``web``, served by ``serve`` or gunicorn) and Socket
Mode (``socket_mode``), both through one Bolt app (``bolt_app``), and the local
console. The only part of ``bot`` that imports ``slack_bolt``, ``slack_sdk`` or
``handlers``; the core behind it knows no transport."""
