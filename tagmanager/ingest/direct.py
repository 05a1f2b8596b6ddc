from tagmanager.ingest import IngestBuffer


class DirectBuffer(IngestBuffer):
    """No buffering: the request stores its beacon before answering (the default; no broker)."""

    def push(self, beacon: dict) -> None:
        self.store([beacon])
