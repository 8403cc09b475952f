# The action's image: the zenodo_action package installed system-wide on python:3.12-slim.
# The runner mounts the workspace over /github/workspace, runs as root with HOME and PATH of
# its own, and forwards the workflow's env (github-actions.md §1.2): so no USER, no WORKDIR,
# and an absolute interpreter path.
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Only what the install needs; the build copy is removed so site-packages is the one source.
COPY pyproject.toml README.md /tmp/src/
COPY zenodo_action /tmp/src/zenodo_action/
RUN pip install --no-cache-dir /tmp/src && rm -rf /tmp/src

COPY entrypoint.py /app/entrypoint.py

# -I: the workflow's PYTHONPATH/PYTHONHOME reach the container, but must not change which code
# runs; -I also ignores PYTHONUNBUFFERED and PYTHONUTF8, hence -u and -X utf8.
ENTRYPOINT ["/usr/local/bin/python", "-I", "-u", "-X", "utf8", "/app/entrypoint.py"]
