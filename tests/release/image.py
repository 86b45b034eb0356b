"""Build the reviewer image with buildah on this machine and run it (the opt-in image test).

The Dockerfile's base is ``python:3.12.12-slim-trixie``. Where that image cannot be pulled (no container
registry reachable), a stand-in base is bootstrapped locally: ``debootstrap --variant=minbase trixie``
with Debian's ``python3`` and ``python3-venv``, trimmed like Debian's slim images (no docs, man pages or
locales), with ``python`` on the PATH. ``REVIEWER_IMAGE_TEST_BASE`` names another base to use instead
(e.g. the real ``python:3.12.12-slim-trixie`` where a registry is reachable).

Everything runs with ``--isolation chroot``, which needs no container runtime or cgroups: root on a plain
VM or in a privileged CI job is enough.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "reviewer-image-test"
BASE_IMAGE = "localhost/reviewer-test-base:trixie"
IMAGE = "localhost/reviewer:image-test"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
SIZE_LIMIT_BYTES = 600 * 1000 * 1000
# What Debian's slim images leave out (their /etc/dpkg/dpkg.cfg.d/docker), so the stand-in base is
# about the size of the real one and apt installs in the Dockerfile stay as small as they would there.
SLIM_DPKG_CFG = """path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
"""
SKIP_REASON = ("the image test is opt-in: REVIEWER_IMAGE_TEST=1 python -m pytest tests/release/test_image.py "
               "(needs root, buildah and, without REVIEWER_IMAGE_TEST_BASE, debootstrap: "
               "apt-get install -y buildah debootstrap)")


def run(*args: str, timeout: float = 1800, **kwargs) -> subprocess.CompletedProcess:
    """Run a command, raising with its output when it fails."""
    proc = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args[:4])} … failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def unavailable() -> str | None:
    """Why the image test cannot run here, or None."""
    if os.environ.get("REVIEWER_IMAGE_TEST") != "1":
        return SKIP_REASON
    if os.geteuid() != 0:
        return "the image test needs root (buildah --isolation chroot, debootstrap)"
    missing = [tool for tool in ("buildah",) + (() if os.environ.get("REVIEWER_IMAGE_TEST_BASE") else ("debootstrap",))
               if shutil.which(tool) is None]
    return f"not installed: {', '.join(missing)} (apt-get install -y {' '.join(missing)})" if missing else None


def image_exists(name: str) -> bool:
    return subprocess.run(["buildah", "inspect", "--type", "image", name], capture_output=True).returncode == 0


def bootstrap_base() -> str:
    """The base image name: REVIEWER_IMAGE_TEST_BASE, or the locally bootstrapped stand-in (cached)."""
    given = os.environ.get("REVIEWER_IMAGE_TEST_BASE")
    if given:
        return given
    if image_exists(BASE_IMAGE):
        return BASE_IMAGE
    rootfs = CACHE / "rootfs-trixie"
    if not (rootfs / "usr" / "bin" / "python3").exists():
        partial = CACHE / "rootfs-trixie.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        (partial / "etc" / "dpkg" / "dpkg.cfg.d").mkdir(parents=True)
        (partial / "etc" / "dpkg" / "dpkg.cfg.d" / "docker-slim").write_text(SLIM_DPKG_CFG)
        run("debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
            "trixie", str(partial), DEBIAN_MIRROR)
        partial.rename(rootfs)
    for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for item in (rootfs / cache).glob("*"):
            if item.is_file():
                item.unlink()
    for trimmed in ("usr/share/doc", "usr/share/man", "usr/share/locale", "usr/share/info"):
        for item in (rootfs / trimmed).glob("*"):
            if item.is_dir() and not (item / "copyright").exists():
                shutil.rmtree(item)
    python = rootfs / "usr" / "local" / "bin" / "python"
    if not python.is_symlink():
        python.symlink_to("/usr/bin/python3")
    # The machine's CA bundle, so pip in the build reaches PyPI through this machine's TLS setup.
    shutil.copyfile("/etc/ssl/certs/ca-certificates.crt", rootfs / "etc" / "ssl" / "certs" / "ca-certificates.crt")
    ctr = run("buildah", "from", "scratch").stdout.strip()
    try:
        run("buildah", "copy", "--quiet", ctr, f"{rootfs}/", "/")
        run("buildah", "config", "--env", "PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
            "--env", "LANG=C.UTF-8", "--env", "PIP_CERT=/etc/ssl/certs/ca-certificates.crt", "--cmd", "python3", ctr)
        run("buildah", "commit", "--quiet", ctr, BASE_IMAGE)
    finally:
        subprocess.run(["buildah", "rm", ctr], capture_output=True)
    return BASE_IMAGE


def build(base: str, *, version: str) -> str:
    """Build the Dockerfile on ``base`` as IMAGE (as the pipeline's image job does); returns IMAGE."""
    old = subprocess.run(["buildah", "inspect", "--type", "image", "--format", "{{.FromImageID}}", IMAGE],
                         capture_output=True, text=True).stdout.strip()
    run("buildah", "build", "--isolation", "chroot", "--layers=false", "--pull=false" if base.startswith("localhost/") else "--pull",
        "--build-arg", f"PYTHON_IMAGE={base}", "--build-arg", f"VERSION={version}",
        "--build-arg", "REVISION=image-test", "-t", IMAGE, str(ROOT), timeout=3600)
    new = run("buildah", "inspect", "--type", "image", "--format", "{{.FromImageID}}", IMAGE).stdout.strip()
    if old and old != new:  # the previous build, now untagged
        subprocess.run(["buildah", "rmi", old], capture_output=True)
    return IMAGE


def image_size(image: str) -> int:
    """Uncompressed size in bytes, as `buildah images` reports it (decimal units, 3 significant digits)."""
    import json
    size = json.loads(run("buildah", "images", "--json", image).stdout)[0]["size"]
    number, unit = size.split()
    return int(float(number) * {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9}[unit.upper()])


def labels(image: str) -> dict[str, str]:
    import json
    info = json.loads(run("buildah", "inspect", "--type", "image", image).stdout)
    return info.get("OCIv1", {}).get("config", {}).get("Labels", {}) or {}


class Container:
    """A working container of the image, for `buildah run`."""

    def __init__(self, image: str):
        self.name = run("buildah", "from", "--pull=false", image).stdout.strip()

    def run(self, *command: str, volumes: tuple[str, ...] = (), env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
        args = ["buildah", "run", "--isolation", "chroot"]
        for volume in volumes:
            args += ["-v", volume]
        for key, value in (env or {}).items():
            args += ["--env", f"{key}={value}"]
        proc = subprocess.run([*args, self.name, "--", *command], capture_output=True, text=True, timeout=600)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        return proc

    def remove(self) -> None:
        subprocess.run(["buildah", "rm", self.name], capture_output=True)
