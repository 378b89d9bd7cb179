# syntax=docker/dockerfile:1
# The base is an argument so the image can be built offline on a local stand-in; the default is
# the real, version-pinned image.
ARG BASE_IMAGE=python:3.12.8-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

COPY requirements.txt /opt/autosana-action/requirements.txt
RUN python -m pip install --no-cache-dir --no-compile --require-hashes --only-binary=:all: \
        -r /opt/autosana-action/requirements.txt

COPY entrypoint.py /opt/autosana-action/entrypoint.py
COPY autosana_action /opt/autosana-action/autosana_action
# Compile once at build time: the runner starts a fresh container for every job.
RUN python -c "import compileall, os, site, sys; dirs = ['/opt/autosana-action', *site.getsitepackages()]; \
sys.exit(not all(compileall.compile_dir(d, quiet=1, workers=0) for d in dirs if os.path.isdir(d)))"

ENTRYPOINT ["/usr/local/bin/python", "/opt/autosana-action/entrypoint.py"]
