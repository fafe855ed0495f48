"""How long the moderators' near-duplicate hints take: moderation.queries.lookalikes() for
one queue page of 20 works against N earlier works with random perceptual hashes.

Usage: python benchmarks/bench_lookalikes.py [--works 10000] [--runs 15]
       [--database-url postgresql+psycopg://user@host/db]   (a schema made and dropped)

Without --database-url it uses a SQLite file in a temporary folder; nothing is written into
the repository. Prints the best and the median run (the best is what an idle machine does).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    os.environ["GALLERY_INSTANCE"] = tempfile.mkdtemp(prefix="bench-lookalikes-")
    from gallery import create_app
    from gallery.extensions import db
    from gallery.models import Licence, Work, WorkStatus, utcnow
    from gallery.moderation.queries import lookalikes

    config = {"SECRET_KEY": secrets.token_hex(16), "TESTING": True}
    schema, admin = None, None
    if args.database_url:
        schema = f"bench_lookalikes_{secrets.token_hex(4)}"
        admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = make_url(args.database_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        config["SQLALCHEMY_DATABASE_URI"] = scoped.render_as_string(hide_password=False)
    try:
        app = create_app(config)
        with app.app_context():
            db.create_all()
            rng = random.Random(1)
            now = utcnow()
            statuses = list(WorkStatus)
            rows = [
                {
                    "public_id": f"bench-{i}",
                    "title": f"Work {i}",
                    "alt_text": "A test.",
                    "licence": Licence.CC0,
                    "status": rng.choice(statuses),
                    "decided_at": now,
                    "published_at": now,
                    "phash": f"{rng.getrandbits(64):016x}",
                }
                for i in range(args.works)
            ]
            for start in range(0, len(rows), 1000):
                db.session.execute(insert(Work), rows[start : start + 1000])
            db.session.commit()
            del rows  # a worker holds no such list: it would only slow the garbage collector
            page = list(db.session.scalars(select(Work).order_by(Work.id.desc()).limit(20)))
            times = []
            for _ in range(args.runs):
                db.session.commit()
                started = time.perf_counter()
                lookalikes(page)
                times.append(time.perf_counter() - started)
            name = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
        print(
            f"{name}: a page of 20 against {args.works} works: best {min(times) * 1000:.0f} ms, "
            f"median {statistics.median(times) * 1000:.0f} ms; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
