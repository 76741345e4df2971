"""gunicorn settings for the WSGI entry (`slack_coc.wsgi:application`):

    gunicorn -c python:slack_coc.gunicorn_conf slack_coc.wsgi:application

gunicorn has no body-size setting: the app itself answers 413 to a `Content-Length` above
COC_MAX_REQUEST_BYTES before reading the body (`slack_coc.slack.http`), and a chunked body
(no `Content-Length`; Slack never sends one) with 411. The settings below bound what gunicorn
reads before the app is called: the request line and the headers.
"""

from __future__ import annotations

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '3000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
limit_request_line = 8190  # bytes in "POST /slack/events HTTP/1.1"
limit_request_fields = 64  # headers per request (Slack sends about 15)
limit_request_field_size = 8190  # bytes per header
timeout = 30  # a worker stuck longer than this is restarted
