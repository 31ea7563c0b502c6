"""``make bench``: the bot against a bare Bolt app, and the scheduler pass at scale.

Run ``python -m bench --help``. The modules:

- :mod:`bench.servers`: gunicorn processes as the Procfile starts them, their peak RSS;
- :mod:`bench.baseline`: the bare Bolt app (the baseline), a WSGI app factory;
- :mod:`bench.load`: the load generator, run in a separate process;
- :mod:`bench.http_bench`: the scenarios (seating, polls, phases) and their figures;
- :mod:`bench.tick`: one scheduler pass over 1 to 1,000 synthetic councils;
- :mod:`bench.report`: statistics, the machine's description, ``docs/benchmarks.md``.
"""
