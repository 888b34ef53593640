"""The Docker executor: each attempt runs the job's image as a container (extra ``docker``).

``mock_batch(executor="docker")`` talks to the engine ``DOCKER_HOST`` names (the Docker SDK's
``from_env``: ``DOCKER_HOST``, ``DOCKER_TLS_VERIFY``, ``DOCKER_CERT_PATH``; any engine with
Docker's API, podman included). The container gets the job's command (none: the image's own),
environment (see :func:`batchmock.executors.live.job_environment`), ``user``, VCPU and MEMORY as
CPU (``nano_cpus``) and memory limits, ``ulimits``, ``volumes``/``mountPoints`` (host paths are
bind mounts, volumes without one are anonymous volumes removed with the container),
``readonlyRootFilesystem``, ``privileged`` and ``linuxParameters`` (``initProcessEnabled``,
``sharedMemorySize``, ``tmpfs``).

It runs with host networking, so the loopback address of the mock's server reaches the same
server from inside the container as from the host; the engine must therefore run on this
machine. Images are never pulled unless ``MockOptions.docker_pull`` is True: a missing image
fails the attempt with ``CannotPullContainerError: ...``, as an unreachable registry would on
AWS. Containers are not auto-removed (their exit code would be lost): each one is removed once
its exit code and output have been read, and every container still running when the mock ends
is killed and removed.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from batchmock.executors.base import AttemptContext, LogWriter, Services, StartFailure
from batchmock.executors.live import LiveExecution, LiveExecutor, job_environment, run_cleanups

PULL_ERROR = "CannotPullContainerError"
START_ERROR = "CannotStartContainerError"
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"
"""The container reason AWS reports for a container the kernel killed for memory."""
CREATE_KEYS = ("command", "environment", "user", "labels", "detach")
"""Keys of :func:`container_config` that configure the container; the others its host."""
LOG_END_SECONDS = 30.0
"""How long an exited container's log stream may take to end before the outcome is reported."""
LABEL = "batchmock.executor"
"""Label on every container, with a value unique to one executor: shutdown sweeps by it."""
_log = logging.getLogger(__name__)


def require_docker_sdk() -> None:
    """ImportError with the install hint when the Docker SDK for Python is missing."""
    if importlib.util.find_spec("docker") is None:
        raise ImportError(
            "executor='docker' needs the Docker SDK for Python: pip install 'batchmock[docker]'"
        )


class DockerExecution(LiveExecution):
    """A started container: one thread follows its output, one waits for its exit."""

    def __init__(
        self,
        ctx: AttemptContext,
        log: LogWriter | None,
        container: Any,
        cleanups: Sequence[Callable[[], None]] = (),
    ) -> None:
        super().__init__(ctx, log, cleanups)
        self.container = container
        self._reader = self.spawn(self._read, f"logs-{container.short_id}")
        self.spawn(self._wait, f"wait-{container.short_id}")

    def _read(self) -> None:
        pending = b""
        try:
            for chunk in self.container.logs(stream=True, follow=True, stdout=True, stderr=True):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    self.add_line(_text(line))
        except Exception:  # the engine went away: the exit code says what happened
            _log.debug(
                "log stream of %s ended with an error", self.container.short_id, exc_info=True
            )
        if pending:
            self.add_line(_text(pending))

    def _wait(self) -> None:
        code: int | None
        try:
            code = int(self.container.wait(timeout=None)["StatusCode"])
        except Exception:
            _log.warning("could not wait for container %s", self.container.short_id, exc_info=True)
            code = None
        # the engine ends the log stream once the container has exited; never wait forever on it
        self._reader.join(LOG_END_SECONDS)
        reason = None
        if code == 137 and not self.stopping and self._oom_killed():
            reason = OOM_REASON
        self.finish(code if code is None or code >= 0 else None, reason)
        self._remove()

    def _oom_killed(self) -> bool:
        try:
            self.container.reload()
        except Exception:
            return False
        return bool(self.container.attrs.get("State", {}).get("OOMKilled"))

    def _remove(self) -> None:
        try:
            self.container.remove(v=True, force=True)
        except Exception:  # already gone, or the engine is; shutdown sweeps again
            _log.debug("could not remove container %s", self.container.short_id, exc_info=True)

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the container's main process (no-op once it has exited)."""
        if self.poll() is not None:
            return
        try:
            self.container.kill(signal=signal.Signals(signum).name)
        except Exception:
            _log.debug("could not signal container %s", self.container.short_id, exc_info=True)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r")


class DockerExecutor(LiveExecutor):
    """Runs attempts as containers; see the module docstring."""

    def __init__(self, services: Services | None, pull: bool = False) -> None:
        require_docker_sdk()
        super().__init__(services)
        self.pull = pull
        self.label = uuid.uuid4().hex
        self._client: Any = None
        self._client_lock = threading.Lock()

    def client(self) -> Any:
        """The Docker SDK client (made on first use, from the environment)."""
        with self._client_lock:
            if self._client is None:
                import docker

                self._client = docker.from_env()
            return self._client

    def launch(self, ctx: AttemptContext) -> DockerExecution:
        """Create and start the container; StartFailure when the image or command fails."""
        import docker.errors

        if not ctx.image:
            raise StartFailure(f"{PULL_ERROR}: the job has no image")
        try:
            client = self.client()
        except docker.errors.DockerException as exc:
            raise StartFailure(f"{START_ERROR}: {_engine_error(exc)}") from exc
        endpoint = self.endpoint_url()
        task, cleanups = self.open_task(ctx)
        try:
            env = job_environment(ctx, endpoint, task=task)
            config = container_config(ctx, env, {LABEL: self.label})
            container = self._create(client, ctx.image, config)
        except BaseException:
            run_cleanups(cleanups)
            raise
        if task is not None:
            task.docker_id = container.id
        try:
            container.start()
        except docker.errors.APIError as exc:
            _remove_quietly(container)
            run_cleanups(cleanups)
            raise StartFailure(
                f"{START_ERROR}: Error response from daemon: {_explain(exc)}"
            ) from exc
        except BaseException:
            _remove_quietly(container)
            run_cleanups(cleanups)
            raise
        try:
            log = self.open_log(ctx)
        except BaseException:
            _remove_quietly(container)
            run_cleanups(cleanups)
            raise
        execution = DockerExecution(ctx, log, container, cleanups)
        self.keep(execution)
        return execution

    def _create(self, client: Any, image: str, config: dict[str, Any]) -> Any:
        import docker.errors

        create = {key: config[key] for key in CREATE_KEYS if key in config}
        host = {key: value for key, value in config.items() if key not in CREATE_KEYS}
        for pulled in (False, True):
            try:
                # the low-level calls: ``containers.create`` would inspect the container after
                # creating it, a round trip nothing here needs
                made = client.api.create_container(
                    image, host_config=client.api.create_host_config(**host), **create
                )
                return client.containers.prepare_model({"Id": made["Id"]})
            except docker.errors.ImageNotFound as exc:
                if pulled or not self.pull:
                    raise StartFailure(_pull_error(image, exc, self.pull)) from exc
                self._pull(client, image)
            except docker.errors.APIError as exc:
                raise StartFailure(
                    f"{START_ERROR}: Error response from daemon: {_explain(exc)}"
                ) from exc
            except docker.errors.DockerException as exc:
                raise StartFailure(f"{START_ERROR}: {_engine_error(exc)}") from exc
            except OSError as exc:  # the engine's socket: refused, missing
                raise StartFailure(f"{START_ERROR}: {_engine_error(exc)}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _pull(self, client: Any, image: str) -> None:
        import docker.errors

        try:
            client.images.pull(image)
        except docker.errors.APIError as exc:
            raise StartFailure(f"{PULL_ERROR}: {_explain(exc)}") from exc

    def shutdown(self) -> None:
        """Kill and remove every container this executor started, then close the client."""
        super().shutdown()
        client, self._client = self._client, None
        if client is None:
            return
        try:
            for left in client.containers.list(
                all=True, filters={"label": f"{LABEL}={self.label}"}
            ):
                _remove_quietly(left)
        except Exception:
            _log.warning("could not list this mock's containers to remove them", exc_info=True)
        finally:
            client.close()


def container_config(
    ctx: AttemptContext, env: dict[str, str], labels: dict[str, str]
) -> dict[str, Any]:
    """The keyword arguments of ``containers.create`` for an attempt (image apart).

    :data:`CREATE_KEYS` go to the Engine API's container config, the others to its host config.
    """
    import docker.types

    props = ctx.container or {}
    config: dict[str, Any] = {
        "command": list(ctx.command) or None,
        "environment": env,
        "network_mode": "host",
        "labels": {**labels, "batchmock.job-id": ctx.job_id, "batchmock.attempt": str(ctx.attempt)},
        "detach": True,
    }
    if props.get("user"):
        config["user"] = str(props["user"])
    if ctx.vcpus:
        config["nano_cpus"] = int(round(ctx.vcpus * 1e9))
    if ctx.memory:
        config["mem_limit"] = f"{int(ctx.memory)}m"  # MEMORY is MiB
    if props.get("readonlyRootFilesystem"):
        config["read_only"] = True
    if props.get("privileged"):
        config["privileged"] = True
    ulimits = [
        docker.types.Ulimit(name=u["name"], soft=int(u["softLimit"]), hard=int(u["hardLimit"]))
        for u in props.get("ulimits") or []
    ]
    if ulimits:
        config["ulimits"] = ulimits
    mounts = _mounts(props)
    if mounts:
        config["mounts"] = mounts
    config.update(_linux_parameters(props.get("linuxParameters") or {}))
    return config


def _mounts(props: dict[str, Any]) -> list[Any]:
    """mountPoints over volumes: a host sourcePath is a bind mount, no host an anonymous volume."""
    import docker.types

    volumes = {v.get("name"): v for v in props.get("volumes") or []}
    mounts = []
    for point in props.get("mountPoints") or []:
        name = point.get("sourceVolume")
        target = point.get("containerPath")
        volume = volumes.get(name)
        if volume is None or not target:
            raise StartFailure(
                f"{START_ERROR}: mountPoints names volume {name!r}, which the job does not define"
            )
        if volume.get("efsVolumeConfiguration"):
            raise StartFailure(
                f"{START_ERROR}: volume {name!r} is an EFS volume, which the docker executor "
                "cannot mount; give it a host sourcePath instead"
            )
        read_only = bool(point.get("readOnly"))
        source = (volume.get("host") or {}).get("sourcePath")
        if source:
            mounts.append(docker.types.Mount(target, source, type="bind", read_only=read_only))
        else:
            mounts.append(docker.types.Mount(target, None, type="volume", read_only=read_only))
    return mounts


def _linux_parameters(params: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if params.get("initProcessEnabled"):
        config["init"] = True
    if params.get("sharedMemorySize"):
        config["shm_size"] = f"{int(params['sharedMemorySize'])}m"
    tmpfs = {}
    for mount in params.get("tmpfs") or []:
        options = [f"size={int(mount['size'])}m", *(mount.get("mountOptions") or [])]
        tmpfs[mount["containerPath"]] = ",".join(options)
    if tmpfs:
        config["tmpfs"] = tmpfs
    return config


def _explain(exc: Any) -> str:
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc)


def _pull_error(image: str, exc: Any, pulling: bool) -> str:
    if pulling:
        return f"{PULL_ERROR}: {_explain(exc)}"
    return (
        f"{PULL_ERROR}: image {image!r} is not on the Docker engine ({_explain(exc)}); "
        "batchmock does not pull images unless docker_pull=True"
    )


def _engine_error(exc: BaseException) -> str:
    where = os.environ.get("DOCKER_HOST") or "the default socket (DOCKER_HOST is not set)"
    return f"no Docker engine answers at {where}: {exc}"


def _remove_quietly(container: Any) -> None:
    try:
        container.remove(v=True, force=True)
    except Exception:
        _log.debug(
            "could not remove container %s", getattr(container, "short_id", "?"), exc_info=True
        )
