"""The API's HTTP requests (`/v1/...`, `/api/...`) in one hop from the event loop to a worker thread.

Django's ASGI handler runs a sync view under async middleware by hopping between the event loop and a thread
for the request-started signal, for each middleware without an async path (MiddlewareMixin hops twice), for
the view, and to close the response, and it starts a new thread for every request (ThreadSensitiveContext).
The API's operations are sync (the ORM is), so here a request goes to a small pool of long-lived threads once:
the signals, the whole middleware stack (the same MIDDLEWARE, in its sync form) and the view run there as under
a threaded WSGI server, and the event loop only reads the body and writes the answer. Streamed answers (artifact
files) are still written from the event loop, as Django's handler writes them. The dashboard, the admin and the
WebSockets keep Django's and Channels' handlers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.db import close_old_connections
from django.http import FileResponse, HttpResponse
from django.urls import set_script_prefix

API_PREFIXES = ("/v1/", "/api/")


def is_api_request(scope: dict) -> bool:
    return scope["type"] == "http" and scope.get("path", "").startswith(API_PREFIXES)


class OneHopHandler(ASGIHandler):
    """An ASGI handler that runs each request's Django part (signals, middleware, view) in one thread call."""

    def __init__(self, threads: int) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="api")

    async def __call__(self, scope: dict, receive, send) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        # thread_sensitive=False with our executor: asgiref still marks the thread as called from this loop, so
        # an async_to_sync inside the view (publishing live events) runs on this loop, as it does under Django's.
        respond = sync_to_async(self._respond, thread_sensitive=False, executor=self.executor)
        response = await respond(scope, body_file)
        await self.send_response(response, send)
        if response.streaming:
            # Django's handler reads a sync stream in its one sync thread; close it there too.
            await sync_to_async(response.close)()
            body_file.close()

    def _respond(self, scope: dict, body_file) -> HttpResponse:
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            # request_finished (closing the DB connection: back to the pool) in the thread that used it.
            response.close()
            body_file.close()
        else:
            close_old_connections()  # this thread's connection; the file is sent from the event loop
        return response
