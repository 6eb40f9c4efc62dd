"""Where the pipeline runs: in this process, in a process pool, or on Ray (large backfills).

A runner maps batches of :class:`Doc` through a pipeline and yields, **in input order**, each
batch's enriched docs and the per-record errors its components reported
(:class:`BatchResult`); a doc a component fails on is reported and the batch goes on, as in
:meth:`Pipeline.pipe`. Each batch goes through the pipeline whole, so what a component does
per batch (the moderator's duplicate count) is the same whatever the runner.

Workers never receive loaded models. They get a small picklable recipe (a
:class:`~confiance.enrich.pipeline.PipelineSpec`, or any object whose ``build()`` returns a
:class:`Pipeline`) and build the pipeline once each. At most ``in_flight`` batches are out at
a time, so memory stays flat however many posts there are. Runners only compute: storing the
results is the caller's job, in one process (:func:`~confiance.enrich.pipeline.enrich_store`).

A worker that dies (killed, out of memory, a Ray actor lost) ends the run with
``ConfianceError`` E505; a missing ``ray`` package is E504, an unreachable Ray cluster E506.
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.context
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from confiance.core.errors import ConfianceError
from confiance.enrich.component import Doc, EnrichError
from confiance.enrich.pipeline import Pipeline

T = TypeVar("T")


@dataclass
class BatchResult:
    """One batch, enriched: its docs in input order, and what the components reported."""

    docs: list[Doc]
    errors: list[EnrichError] = field(default_factory=list)


class PipelineRecipe(Protocol):
    """What workers receive: a picklable object that builds the pipeline."""

    def build(self) -> Pipeline:
        """The pipeline, with its components constructed (models may load lazily)."""
        ...


class Runner(Protocol):
    """Maps batches of docs through a pipeline; see the module docstring."""

    name: str
    """``in-process``, ``process-pool`` or ``ray`` (the ``--json`` output's ``runner``)."""
    workers: int
    """How many pipelines run side by side."""
    in_process: bool
    """Whether batches run in this process (it then takes a built :class:`Pipeline`)."""

    def map(self, pipeline: Pipeline | PipelineRecipe, batches: Iterable[list[Doc]], *,
            batch_size: int = 256) -> Generator[BatchResult, None, None]:
        """Each batch enriched, in input order; ``batch_size`` is the components' batch."""
        ...


def run_batch(pipeline: Pipeline, docs: list[Doc], batch_size: int = 256) -> BatchResult:
    """One batch through ``pipeline``, collecting per-record errors instead of raising."""
    errors: list[EnrichError] = []
    done = list(pipeline.pipe(docs, batch_size=batch_size, on_error=errors.append))
    return BatchResult(done, errors)


class InProcessRunner:
    """Runs the pipeline here, one batch after the other (the default)."""

    name = "in-process"
    workers = 1
    in_process = True

    def map(self, pipeline: Pipeline | PipelineRecipe, batches: Iterable[list[Doc]], *,
            batch_size: int = 256) -> Generator[BatchResult, None, None]:
        """Each batch enriched, in order."""
        built = pipeline if isinstance(pipeline, Pipeline) else pipeline.build()
        for docs in batches:
            yield run_batch(built, docs, batch_size)


def _recipe(pipeline: Pipeline | PipelineRecipe, runner: str) -> PipelineRecipe:
    if isinstance(pipeline, Pipeline):
        raise TypeError(f"the {runner} runner builds the pipeline in each worker: give it a "
                        "picklable recipe such as PipelineSpec, not a built Pipeline")
    return pipeline


def _in_order(batches: Iterable[list[Doc]], submit: Callable[[int, list[Doc]], T],
              collect: Callable[[T], BatchResult], limit: int) -> Iterator[BatchResult]:
    """Submit batches (numbered from 0) while at most ``limit`` are out; collect in order."""
    window: deque[T] = deque()
    for number, docs in enumerate(batches):
        window.append(submit(number, docs))
        if len(window) >= limit:
            yield collect(window.popleft())
    while window:
        yield collect(window.popleft())


class _Worker:
    """A worker's pipeline, built once from the recipe. A recipe that fails to build is
    kept and raised with the first batch, so the parent gets the real error (E407...)
    rather than a dead worker."""

    def __init__(self, recipe: PipelineRecipe) -> None:
        self.pipeline: Pipeline | None = None
        self.failure: Exception | None = None
        try:
            self.pipeline = recipe.build()
        except Exception as exc:  # noqa: BLE001 - raised with the first batch, in the parent
            self.failure = exc

    def run(self, docs: list[Doc], batch_size: int) -> BatchResult:
        """One batch through the worker's pipeline."""
        if self.pipeline is None:
            raise self.failure or RuntimeError("the worker has no pipeline")
        return run_batch(self.pipeline, docs, batch_size)


# --- process pool ---------------------------------------------------------------------------

_pool_worker: _Worker | None = None
"""The pipeline of this process when it is a pool worker (set by its initializer only)."""


def _start_pool_worker(recipe: PipelineRecipe) -> None:
    """Pool initializer: build the pipeline once. Ctrl-C is left to the parent, which stops
    the pool; a worker interrupted mid-batch would only add noise."""
    global _pool_worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True,
                     name="confiance-orphan-watch").start()
    _pool_worker = _Worker(recipe)


def _exit_when_orphaned(parent: int) -> None:
    """A parent killed outright (kill -9) cannot stop its workers: each notices it has been
    orphaned and exits within a second, instead of holding its models' memory forever."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _run_in_pool_worker(docs: list[Doc], batch_size: int) -> BatchResult:
    if _pool_worker is None:
        raise RuntimeError("not a pipeline worker")
    return _pool_worker.run(docs, batch_size)


class _SpawnContext(multiprocessing.context.SpawnContext):
    """The ``spawn`` start method, remembering the processes it started, so that a run
    stopped early (Ctrl-C, an error while writing) ends its workers at once instead of
    waiting for batches whose results nobody will read."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[multiprocessing.context.SpawnProcess] = []

    # typeshed declares ``Process`` a class attribute; the executor only calls it.
    def Process(  # type: ignore[override]  # noqa: N802 - the context API's name
            self, *args: Any, **kwargs: Any) -> multiprocessing.context.SpawnProcess:
        """A new worker process (what ``ProcessPoolExecutor`` asks its context for)."""
        process = multiprocessing.context.SpawnProcess(*args, **kwargs)
        self.started.append(process)
        return process

    def stop(self) -> None:
        """End the workers still running."""
        for process in self.started:
            if process.is_alive():
                process.terminate()


class ProcessPoolRunner:
    """A pool of ``workers`` processes (started with ``spawn``), each building the pipeline
    once; at most ``in_flight`` batches (default: twice the workers) are out at a time."""

    name = "process-pool"
    in_process = False

    def __init__(self, workers: int = 2, *, in_flight: int | None = None) -> None:
        if workers < 1:
            raise ValueError("a process pool needs at least one worker")
        self.workers = workers
        self.in_flight = max(1, in_flight or 2 * workers)

    def map(self, pipeline: Pipeline | PipelineRecipe, batches: Iterable[list[Doc]], *,
            batch_size: int = 256) -> Generator[BatchResult, None, None]:
        """Each batch enriched by a worker, yielded in input order."""
        recipe = _recipe(pipeline, self.name)
        context = _SpawnContext()
        executor = ProcessPoolExecutor(self.workers, mp_context=context,
                                       initializer=_start_pool_worker, initargs=(recipe,))
        finished = False
        try:
            yield from _in_order(
                batches,
                lambda _, docs: executor.submit(_run_in_pool_worker, docs, batch_size),
                Future.result, self.in_flight)
            finished = True
        except BrokenProcessPool as exc:
            raise ConfianceError(
                "E505", runner=self.name, workers=self.workers,
                detail="a worker process ended abruptly (killed, or out of memory)") from exc
        finally:
            if not finished:
                context.stop()
            executor.shutdown(wait=True, cancel_futures=True)


# --- Ray ------------------------------------------------------------------------------------

def import_ray() -> Any:
    """The ``ray`` module; E504 when it is not installed."""
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise ConfianceError("E504") from None


class PipelineActor:
    """A Ray actor (``ray.remote`` is applied when a run starts): one worker's pipeline."""

    def __init__(self, recipe: PipelineRecipe) -> None:
        self.worker = _Worker(recipe)

    def run(self, docs: list[Doc], batch_size: int) -> BatchResult:
        """One batch through the actor's pipeline."""
        return self.worker.run(docs, batch_size)


class RayRunner:
    """``workers`` Ray actors, each building the pipeline once.

    With ``address`` (``ray://HOST:10001``, ``HOST:6379`` or ``auto``) the actors run on that
    cluster; without it, on a Ray already started in this process (``ray.init``), else on a
    local Ray started with ``num_cpus=workers`` and shut down at the end. Every node needs
    Confiance installed (the same version). At most ``in_flight`` batches (default: twice
    the actors) are out at a time.
    """

    name = "ray"
    in_process = False

    def __init__(self, workers: int = 2, *, address: str | None = None,
                 in_flight: int | None = None) -> None:
        if workers < 1:
            raise ValueError("Ray needs at least one actor")
        self.ray = import_ray()
        self.workers = workers
        self.address = address
        self.in_flight = max(1, in_flight or 2 * workers)

    def map(self, pipeline: Pipeline | PipelineRecipe, batches: Iterable[list[Doc]], *,
            batch_size: int = 256) -> Generator[BatchResult, None, None]:
        """Each batch enriched by an actor (round robin), yielded in input order."""
        recipe = _recipe(pipeline, self.name)
        ray = self.ray
        started = self._connect()
        actors: list[Any] = []
        try:
            actor_class = ray.remote(num_cpus=1)(PipelineActor)
            shared = ray.put(recipe)
            actors = [actor_class.remote(shared) for _ in range(self.workers)]
            yield from _in_order(
                batches,
                lambda number, docs: actors[number % len(actors)].run.remote(docs, batch_size),
                self._collect, self.in_flight)
        finally:
            for actor in actors:
                ray.kill(actor)
            if started:
                ray.shutdown()

    def _connect(self) -> bool:
        """Join the cluster, or start a local Ray; whether this runner started it."""
        ray = self.ray
        if ray.is_initialized():
            return False
        try:
            if self.address:
                ray.init(address=self.address, logging_level="WARNING")
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False,
                         logging_level="WARNING")
        except Exception as exc:  # ray raises several kinds here
            if self.address:
                raise ConfianceError("E506", address=self.address,
                                     detail=_first_line(exc)) from exc
            raise
        return True

    def _collect(self, ref: Any) -> BatchResult:
        """The result of one actor call; a lost actor becomes E505, an error raised in the
        actor is raised here as it was."""
        exceptions = self.ray.exceptions
        try:
            result: BatchResult = self.ray.get(ref)
        except exceptions.RayTaskError as exc:
            if isinstance(exc.cause, Exception):
                raise exc.cause from None
            raise
        except exceptions.RayError as exc:
            raise ConfianceError("E505", runner=self.name, workers=self.workers,
                                 detail=_first_line(exc)) from exc
        return result


def _first_line(exc: BaseException) -> str:
    """``Type: first line of the message``, for an error's ``detail``."""
    text = str(exc).strip()
    line = text.splitlines()[0].rstrip(". ") if text else "no message"
    return f"{type(exc).__name__}: {line}"


# --- choosing -------------------------------------------------------------------------------

def runner_for(workers: int = 1, *, ray: bool = False,
               address: str | None = None) -> InProcessRunner | ProcessPoolRunner | RayRunner:
    """The runner ``confiance enrich`` uses: Ray when ``ray`` or an ``address`` is given
    (``workers`` actors), else a process pool when ``workers`` > 1, else this process."""
    if ray or address:
        return RayRunner(workers, address=address)
    if workers > 1:
        return ProcessPoolRunner(workers)
    return InProcessRunner()

