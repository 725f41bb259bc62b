"""Every multipart upload is counted while it streams in (FILE_UPLOAD_HANDLERS): a file larger
than any form of the product takes is skipped instead of being written to a temporary file,
and ``request.upload_too_large`` tells the view, which says so in its form. Django's
DATA_UPLOAD_MAX_MEMORY_SIZE and FILE_UPLOAD_MAX_MEMORY_SIZE do not cap a file's size."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


def upload_cap() -> int:
    """The largest file any form takes: documents' limit or imports', whichever is larger."""
    return max(settings.DOCUMENTS_MAX_BYTES, getattr(settings, "IMPORT_MAX_BYTES", 0))


class CappedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.cap = upload_cap()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.cap:
            if self.request is not None:
                self.request.upload_too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers (memory, temporary file) keep the file
