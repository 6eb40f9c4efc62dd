"""Batching in a reader process or a thread: errors cross over, nothing is lost or repeated."""

from __future__ import annotations

import io
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from confiance.core.collector import fewer_gc_pauses
from confiance.domain import Platform, Post, Rejected
from confiance.sources.base import Item, SourceFormat
from confiance.store import batches
from confiance.store.batches import ReaderError, from_file, from_items, prepare
from confiance.store.bulk import SqliteWriter
from confiance.store.prefetch import prefetch


def _lines_format(fail_at: int | None = None, kill_at: int | None = None) -> SourceFormat:
    def read(stream: IO[bytes]) -> Iterator[Item]:
        for number, line in enumerate(stream, start=1):
            if number == fail_at:
                raise ValueError(f"boom at line {number}")
            if number == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            text = line.decode().strip()
            if text == "bad":
                yield Rejected(reason="bad line", position=f"line {number}")
            else:
                yield Post(platform=Platform.OTHER, platform_id=text, text=text)

    return SourceFormat(name="lines", description="test", parse=lambda _: iter(()),
                        read=read, sniff=lambda _: 0.0)


def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "items.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_prepare_dedupes_keys_and_keeps_rejections() -> None:
    items = [Post(platform=Platform.OTHER, platform_id=str(n % 3), text=str(n))
             for n in range(7)]
    items.insert(2, Rejected(reason="nope"))
    out = list(prepare(items, SqliteWriter(), source_id=1, batch_size=100))
    assert len(out) == 1 and out[0].seen == 8
    _, rows = out[0].packed
    assert sorted(row[1] for row in rows) == ["0", "1", "2"]
    assert [row[5] for row in rows if row[1] == "0"] == ["6"]  # the last version wins
    assert len(out[0].rejected) == 1


@pytest.mark.parametrize("reader", ["process", "thread"])
def test_every_item_arrives_once_with_progress(tmp_path: Path, reader: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if reader == "thread":
        monkeypatch.setattr(batches.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    path = _file(tmp_path, [str(n) if n % 10 else "bad" for n in range(1, 2501)])
    out = list(from_file(path, _lines_format(), SqliteWriter(), source_id=1, batch_size=300))
    assert sum(b.seen for b in out) == 2500
    assert sum(b.size for b in out) == 2250 and sum(len(b.rejected) for b in out) == 250
    assert out[-1].position == path.stat().st_size
    assert [b.position for b in out] == sorted(b.position for b in out)


def test_an_error_in_the_reader_process_reaches_the_importer(tmp_path: Path) -> None:
    path = _file(tmp_path, [str(n) for n in range(1, 1000)])
    received = []
    with pytest.raises(ValueError, match="boom at line 500"):
        for batch in from_file(path, _lines_format(fail_at=500), SqliteWriter(), source_id=1,
                               batch_size=100):
            received.append(batch)
    assert sum(b.seen for b in received) == 400  # whole batches before the failure only


def test_a_reader_process_killed_is_reported_not_waited_for(tmp_path: Path) -> None:
    path = _file(tmp_path, [str(n) for n in range(1, 1000)])
    with pytest.raises(ReaderError, match="stopped"):
        list(from_file(path, _lines_format(kill_at=250), SqliteWriter(), source_id=1,
                       batch_size=100))


def test_items_from_memory_go_through_a_thread() -> None:
    items = [Post(platform=Platform.OTHER, platform_id=str(n), text="x") for n in range(10)]
    out = list(from_items(items, SqliteWriter(), source_id=1, batch_size=4))
    assert [b.seen for b in out] == [4, 4, 2]


def test_prefetch_reraises_and_stops_its_thread_when_the_consumer_leaves() -> None:
    def numbers() -> Iterator[int]:
        yield from range(3)
        raise KeyError("gone")

    seen = []
    with pytest.raises(KeyError):
        for n in prefetch(numbers()):
            seen.append(n)
    assert seen == [0, 1, 2]
    endless = prefetch(iter(range(10**9)), depth=1)
    assert next(endless) == 0
    endless.close()
    assert not [t for t in threading.enumerate() if t.name == "confiance-prefetch"]


def test_bytes_stream_stays_readable_after_csv_reading() -> None:
    from confiance.sources.base import iter_csv_rows

    stream = io.BytesIO(b"a,b\n1,2\n")
    assert [row for row in iter_csv_rows(stream) if not isinstance(row, Rejected)] == [
        ("row 2", {"a": "1", "b": "2"})]
    assert stream.tell() == 8  # not closed: the importer reads its position for progress


def test_fewer_gc_pauses_restores_the_collector_and_keeps_an_earlier_freeze() -> None:
    import gc

    gc.unfreeze()  # whatever an earlier test of this process froze
    thresholds = gc.get_threshold()
    with fewer_gc_pauses():
        assert gc.get_threshold()[0] > thresholds[0] and gc.get_freeze_count() > 0
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
    gc.freeze()  # as `confiance serve` freezes its startup heap
    try:
        earlier = gc.get_freeze_count()
        with fewer_gc_pauses():
            pass
        assert gc.get_freeze_count() >= earlier > 0  # the server's heap stays frozen
    finally:
        gc.unfreeze()


def test_fewer_gc_pauses_from_two_threads_restores_once_the_last_one_leaves() -> None:
    import gc

    gc.unfreeze()
    thresholds = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[tuple[int, ...]] = []

    def first() -> None:
        with fewer_gc_pauses():
            first_in.set()
            second_in.wait(5)
        seen.append(gc.get_threshold())  # the second thread is still inside
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with fewer_gc_pauses():
            second_in.set()
            first_out.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen and seen[0][0] > thresholds[0]
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
