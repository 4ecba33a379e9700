"""Uploaded files, served from the storage every web node shares.

Profile photos live in Django's default storage: a directory that all nodes mount
(MEDIA_ROOT) or an S3-compatible bucket. On a filesystem, any node streams the file
from it, to signed-in people only; with a bucket, the node sends the browser to a
short-lived signed link of the bucket.
"""

import mimetypes
from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe


@require_safe
@login_required
def media(request: HttpRequest, path: str) -> HttpResponse:
    name = PurePosixPath(path)
    if name.is_absolute() or ".." in name.parts:
        raise Http404
    if not isinstance(default_storage, FileSystemStorage):
        return HttpResponseRedirect(default_storage.url(str(name)))
    try:
        handle = default_storage.open(str(name), "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as missing:
        raise Http404 from missing
    content_type, _ = mimetypes.guess_type(name.name)
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=3600"
    return response
