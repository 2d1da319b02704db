"""Where this astreinte was installed from, as a requirement pip can install elsewhere: what
``astreinte init`` writes into the CI workflow, so that CI runs the astreinte the roster was
written with, and works on its first run.

pip records how a distribution was installed (``direct_url.json``, PEP 610): from a git URL (its
commit), from an archive URL, or from a local folder (a clone, whose remote and commit git
knows). Without that record, it came from a package index. Only what another machine can fetch
is returned: an ``https://`` URL (a GitHub-style ``git@host:path`` or ``ssh://`` address is
turned into its ``https://`` form), or a release on the index; else None.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

DISTRIBUTION = "astreinte"
PLACEHOLDER = "git+https://github.com/OWNER/astreinte@main"

Git = Callable[[Path, list[str]], str | None]  # a git command's stdout in a folder, or None


def installed_requirement() -> str | None:
    """The pip requirement of the running astreinte, or None when it cannot be told."""
    from importlib import metadata

    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    recorded = distribution.read_text("direct_url.json")
    try:
        direct_url = json.loads(recorded) if recorded else None
    except ValueError:
        return None
    return requirement(direct_url, distribution.version, run_git)


def requirement(direct_url: Mapping[str, Any] | None, version: str, git: Git) -> str | None:
    """What pip recorded (``direct_url``, None for an index) as a requirement, or None."""
    if direct_url is None:
        return f"{DISTRIBUTION}=={version}"
    url = str(direct_url.get("url", ""))
    vcs = direct_url.get("vcs_info")
    if isinstance(vcs, Mapping) and vcs.get("vcs") == "git":
        remote = fetchable(url)
        commit = vcs.get("commit_id")
        return f"git+{remote}@{commit}" if remote and commit else None
    if "archive_info" in direct_url:
        return url if url.startswith("https://") else None
    if "dir_info" in direct_url and url.startswith("file://"):
        return _from_clone(Path(unquote(urlparse(url).path)), git)
    return None


def _from_clone(folder: Path, git: Git) -> str | None:
    """A local clone: its ``origin`` at the checked-out commit when a remote branch holds that
    commit, else at the remote's default branch."""
    remote = fetchable(git(folder, ["remote", "get-url", "origin"]) or "")
    if remote is None:
        return None
    commit = git(folder, ["rev-parse", "HEAD"])
    pushed = git(folder, ["branch", "-r", "--contains", "HEAD"])
    if commit and pushed:
        return f"git+{remote}@{commit}"
    default = git(folder, ["symbolic-ref", "--short", "refs/remotes/origin/HEAD"]) or ""
    branch = default.removeprefix("origin/") or "main"
    return f"git+{remote}@{branch}"


_SCP_LIKE = re.compile(r"^[\w.-]+@([\w.-]+):(?!//)(.+)$")  # git@github.com:owner/repo.git


def fetchable(url: str) -> str | None:
    """``url`` as an ``https://`` address another machine can clone, or None (a local path,
    ``file://``, an unknown scheme). Credentials in the URL are dropped."""
    url = url.strip()
    scp = _SCP_LIKE.match(url)
    if scp:
        return f"https://{scp.group(1)}/{scp.group(2)}"
    parsed = urlparse(url)
    if parsed.scheme in ("https", "ssh", "git+ssh", "git+https") and parsed.hostname:
        port = f":{parsed.port}" if parsed.scheme.endswith("https") and parsed.port else ""
        return f"https://{parsed.hostname}{port}{parsed.path}"
    return None


def run_git(folder: Path, args: list[str]) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True, text=True, check=False, timeout=10,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None
