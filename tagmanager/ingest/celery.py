from tagmanager.ingest import BufferUnavailable, IngestBuffer

INGEST_TASK = "tagmanager.fire_events_ingest"


class CeleryTaskBuffer(IngestBuffer):
    """One Celery task per beacon (late acknowledgement: a worker's death redelivers it).

    The task is sent by name (``tagmanager.tasks`` defines it), on the Celery app in force."""

    def push(self, beacon: dict) -> None:
        from celery import current_app

        try:
            # ignore_result: nobody reads it, and otherwise publishing first subscribes to the
            # result in a Redis result backend, whose reconnect loop ignores the broker's
            # socket timeouts and holds the request for many seconds when Redis hangs.
            current_app.send_task(
                INGEST_TASK,
                args=(beacon["c"], beacon["e"], beacon["r"], beacon.get("v")),
                retry=False,
                ignore_result=True,
            )
        except Exception as exc:  # any broker failure: refused, timed out, protocol error
            raise BufferUnavailable(f"broker: {exc!r}") from exc
