# The image the CI/CD component runs: `reviewer` in a virtualenv on a pinned slim Python, as a non-root
# user, with git (the checkout, --local reviews, code context) and shellcheck. No compilers: every
# dependency installs from a wheel. Built and pushed by the project's own pipeline (.gitlab-ci.yml).
#
#   buildah build --isolation chroot -t reviewer:dev .      # or: docker build -t reviewer:dev .
#
# PYTHON_IMAGE is the base of both stages: a specific Python release on a specific Debian, never a
# floating tag (trixie's git >= 2.46 understands the `/builds/*` safe.directory pattern set below).
ARG PYTHON_IMAGE=python:3.12.12-slim-trixie

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md CHANGELOG.md ./
COPY reviewer ./reviewer
COPY agents ./agents
COPY prompts ./prompts
COPY codex_rules ./codex_rules
# binutils (this stage only) strips the debug symbols some wheels ship in their native libraries (45 MB).
RUN apt-get update && apt-get install -y --no-install-recommends binutils && rm -rf /var/lib/apt/lists/*
# --only-binary: a dependency without a wheel fails the build here instead of needing a compiler.
# --no-compile, then byte-compile only what a review imports (by importing it): the job starts as fast
# as with every file compiled, for 39 MB instead of 120 MB. Left out: pip, and litellm's proxy admin UI
# (static web files the reviewer never serves).
RUN python -m venv /opt/reviewer \
    && /opt/reviewer/bin/pip install --only-binary=:all: --no-compile . \
    && /opt/reviewer/bin/pip uninstall -y -q pip \
    && rm -rf /opt/reviewer/lib/python*/site-packages/litellm/proxy/_experimental/out \
    && find /opt/reviewer -type f -name '*.so*' -exec strip --strip-unneeded {} + \
    && LITELLM_LOCAL_MODEL_COST_MAP=True /opt/reviewer/bin/python -c "import importlib, pkgutil, reviewer, \
litellm, openai; [importlib.import_module(m.name) for m in pkgutil.walk_packages(reviewer.__path__, 'reviewer.') \
if m.name != 'reviewer.__main__']" \
    && /opt/reviewer/bin/reviewer --version

FROM ${PYTHON_IMAGE}
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=""
# The runner checks the project out as another user: safe.directory lets git read it (--local, code context).
LABEL org.opencontainers.image.title="reviewer" \
      org.opencontainers.image.description="Multi-agent AI code reviewer for GitLab merge requests (the gitlab-mr-reviewer package)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}"
RUN apt-get update \
    && apt-get install -y --no-install-recommends git shellcheck ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/log/apt /var/log/dpkg.log \
    && useradd --create-home --uid 10001 reviewer \
    && git config --system --add safe.directory '/builds/*'
COPY --from=build /opt/reviewer /opt/reviewer
ENV PATH=/opt/reviewer/bin:$PATH \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER reviewer
WORKDIR /home/reviewer
# The component overrides the entrypoint (`entrypoint: [""]`) and calls `reviewer review` itself.
ENTRYPOINT ["reviewer"]
CMD ["--help"]
