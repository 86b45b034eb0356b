# The image the CI/CD component runs: `reviewer` on a slim Python base, as a non-root user.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY reviewer ./reviewer
COPY agents ./agents
COPY prompts ./prompts
COPY codex_rules ./codex_rules
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 reviewer
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
ENV LITELLM_LOCAL_MODEL_COST_MAP=True \
    PYTHONUNBUFFERED=1
USER reviewer
WORKDIR /home/reviewer
ENTRYPOINT ["reviewer"]
CMD ["--help"]
