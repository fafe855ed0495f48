"""A new submission's face suggestions are made once its answer has been sent (issue 27:
the upload does not wait for the detector's child to load OpenCV): the 303 comes first,
the receipt says the detector has not looked yet until it has, and the server's close of
the response runs the detector, which keeps what it found."""

from __future__ import annotations

from sqlalchemy import select

from gallery.extensions import db
from gallery.images import faces
from gallery.models import Work
from helpers import form_data, fresh, multipart, png_bytes


def test_the_answer_comes_before_the_face_detector(client, monkeypatch):
    calls = []
    real = faces.suggest

    def spy(source, **kwargs):
        calls.append(1)
        return real(source, **kwargs)

    monkeypatch.setattr(faces, "suggest", spy)
    body, content_type = multipart(form_data(client, png_bytes((600, 400))))
    response = client.post("/submit", data=body, content_type=content_type)
    assert response.status_code == 303
    assert calls == []  # answered: the detector has not run yet
    fresh()
    work = db.session.scalars(select(Work)).one()
    assert work.face_suggestions is None
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The face detector has not looked at this image yet." in receipt

    response.close()  # what the server does once the answer is sent
    assert calls == [1]
    fresh()
    assert db.session.get(Work, work.id).face_suggestions == []
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The face detector found no face" in receipt
    assert "has not looked at this image yet" not in receipt
