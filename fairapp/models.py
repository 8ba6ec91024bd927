"""Imports every model so metadata (and Alembic autogenerate) sees all tables."""
from .accounts.models import Invitation, Membership, Organization, User  # noqa: F401
from .core.audit import AuditEntry  # noqa: F401
from .core.mail import MailMessage  # noqa: F401
from .fairs.models import Fair, FairRole  # noqa: F401
from .booths.models import Application, Booth, BoothPerson, BoothSetup, BoothType, CheckInScan  # noqa: F401
from .nominations.models import Category, Evidence, Nomination, NominationEvent  # noqa: F401
from .judging.models import (AwardLevel, Assignment, Conflict, Criterion, JudgeProfile, Result,  # noqa: F401
                             Rubric, Score, TieBreakRule)
from .certificates.models import CertificatePrint, Certificate, CertificateTemplate, PrintBatch  # noqa: F401
from .core.ratelimit import rate_limits  # noqa: F401
from .privacy.models import Breach, ConsentChange, NoticeReceipt, PrivacyRequest, RetentionSetting  # noqa: F401
from .core.file_deletions import StorageDeletion  # noqa: F401
from .stage.models import StagePosition  # noqa: F401
from .judging.models_invitations import JudgeInvitation  # noqa: F401
