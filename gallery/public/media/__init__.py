"""Serving stored images: approved ones publicly, everything else only to those allowed.

The visibility check always comes first, in the app.  What sends the bytes depends on the
store and the settings (README "Media from the reverse proxy"):

- the local folder: send_file(), or, for a public work and with MEDIA_ACCEL_REDIRECT or
  MEDIA_SENDFILE set, an empty answer naming the file for nginx (X-Accel-Redirect) or
  Apache / lighttpd (X-Sendfile) to send;
- a bucket: the app streams the object (or the asked range of it) with its ETag and
  Last-Modified, and answers If-None-Match / If-Modified-Since with a 304 itself.

Pending and hidden works are always sent by the app, private and never cached.

A published image asked for again is answered before Flask (MediaShortcut): the view
notes, in each worker, the keys of the published works it checked, under the page cache's
generation (web/pagecache/), which every commit that changes what visitors see renews on
every worker and host at once.  A key noted under the current generation is a published
work's: its file is sent straight away, with the same headers, validators and log line the
view gives, in a tenth of the time (README "Performance").  Anything else goes to the view."""

from .published import PublishedKeys
from .sending import send_rendition
from .shortcut import MediaShortcut
from .views import ROUTE, bp

__all__ = ["ROUTE", "MediaShortcut", "PublishedKeys", "bp", "send_rendition"]
