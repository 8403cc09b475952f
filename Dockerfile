# The action's image: the zenodo_action package installed system-wide on python:3.12-slim.
# The runner mounts the workspace over /github/workspace, runs as root with HOME and PATH of
# its own, and forwards the workflow's env (github-actions.md §1.2): so no USER, no WORKDIR,
# and an absolute interpreter path.
# A full version tag, not `3.12-slim`, so a rebuild gets the same interpreter and Debian
# release; Dependabot (.github/dependabot.yml) proposes the next one. scripts/container-setup
# reads this line to tag its local stand-in.
FROM python:3.12.16-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Exactly the lock, every file checked against its sha256 (--require-hashes): a changed or
# substituted upload fails the build. --no-deps is safe because tests/test_lock.py keeps the
# lock closed under its own requirements. Its own layer, so a change to the package alone
# does not reinstall the dependencies.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.lock \
    && rm /tmp/requirements.lock

# The package itself, with no dependency resolution: everything it imports came from the lock.
# The build copy is removed so site-packages is the one source.
COPY pyproject.toml README.md /tmp/src/
COPY zenodo_action /tmp/src/zenodo_action/
RUN pip install --no-cache-dir --no-deps /tmp/src && rm -rf /tmp/src

COPY entrypoint.py /app/entrypoint.py

# -I: the workflow's PYTHONPATH/PYTHONHOME reach the container, but must not change which code
# runs; -I also ignores PYTHONUNBUFFERED and PYTHONUTF8, hence -u and -X utf8.
ENTRYPOINT ["/usr/local/bin/python", "-I", "-u", "-X", "utf8", "/app/entrypoint.py"]
