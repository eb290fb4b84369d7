"""What an operator watches: Prometheus metrics, OpenTelemetry traces, the log's format.

The request log itself (one line per request, WebSocket connection and operation) is the
web layer's: `web/request_log.py` and `web/websocket_log.py`.
"""
