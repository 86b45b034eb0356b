"""A GitLab REST API simulator for tests (see README.md). Never imports `reviewer`."""

from .faults import Faults
from .server import RequestRecord
from .simulator import GitLabSimulator

__all__ = ["Faults", "GitLabSimulator", "RequestRecord"]
