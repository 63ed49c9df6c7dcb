"""The bridge's static files (the favicon, the stylesheet, the script), namespaced like its templates."""

from __future__ import annotations

from flask import Blueprint, Response

PREFIX = ""


def read_whole(response: Response) -> Response:
    """A file response read whole and its file closed before the response goes out."""
    response.direct_passthrough = False
    data = response.get_data()
    response.close()
    response.set_data(data)
    return response


class _Assets(Blueprint):
    """Static files read whole and their file closed before the response goes out.

    They are a few kilobytes; a browser that drops the request half-way (a framed page
    Chromium refuses) then leaves no open file for the garbage collector to complain of.
    """

    def send_static_file(self, filename: str) -> Response:
        return read_whole(super().send_static_file(filename))


# Served at ``<prefix>/bridge-static/incident_bridge/…``, clear of the host's own ``/static``.
bp = _Assets(
    "incident_bridge_assets", __name__, static_folder="static", static_url_path="/bridge-static"
)
