"""gunicorn's settings in production (Dockerfile, docker-compose.yml) and in `make load` (bench/load/run.py).

Threaded workers: a sync worker waits, blocked, on a kept-alive connection whose user is still reading the page
(`make load`: p95 1.6 s at 50 users with the cores 60 % idle). The keep-alive outlasts the load test's think time
(1–3 s): with gunicorn's default of 2 s, the next request met a closed connection. Command-line options win.
"""

workers = 3
worker_class = "gthread"
threads = 4
keepalive = 10
