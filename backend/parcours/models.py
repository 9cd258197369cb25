"""Every table, so that Alembic sees the whole schema."""

from parcours.assets.models import Asset
from parcours.audit.models import AuditEntry
from parcours.auth.models import ApiKey, User, UserSession
from parcours.behaviour.models import ComputedField
from parcours.campaigns.models import Campaign
from parcours.channels.models import OutboxKey, OutboxMessage, OutboxSentDaily, Suppression
from parcours.contacts.models import (
    Account,
    ConsentEvent,
    Contact,
    ContactComputed,
    ContactMerge,
    ContactRfm,
    CustomField,
    DistinctPair,
    ErasureTombstone,
    ImportFile,
)
from parcours.dashboards.models import DashboardTile
from parcours.dataflows.models import ImportedFile, ImportRun, ImportSource, ScheduledExport
from parcours.emails.models import Email, EmailVersion, Template, Topic, TopicOptOut
from parcours.events.models import Event, EventCost, EventTeamMember, Registration
from parcours.explore.models import Exploration, ExploreDaily, ExploreMonthly, ExploreMonthlyContact
from parcours.forms.models import Form, FormDay, FormSubmission, FormVersion
from parcours.interactions.models import Interaction, StreamCursor
from parcours.jobs.models import Job
from parcours.journeys.models import Journey, JourneyLeftOut, JourneyRun, JourneyStep, JourneyVersion
from parcours.landing.models import LandingPage, LandingPageVersion, PageDay, PageVisitor
from parcours.organization.models import Organization
from parcours.pipeline.models import Opportunity
from parcours.programs.models import JourneyBrief, Program, ProgramItem
from parcours.reports.models import (
    AudienceSnapshot,
    CohortMonth,
    CreatedCohortMonth,
    CustomerFirst,
    OverviewSnapshot,
    PurchaseLine,
    ReportDaily,
    ReportEmailDaily,
)
from parcours.rfm.models import RfmMonthly, RfmRun
from parcours.scoring.models import ContactScore, ScoreChange, ScoringModel
from parcours.segments.models import Segment, SegmentMember
from parcours.spend.models import MarketingSpend
from parcours.visitors.models import Visitor, VisitorEvent, WebsiteSegment
from parcours.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "Account",
    "ApiKey",
    "Asset",
    "AudienceSnapshot",
    "AuditEntry",
    "Campaign",
    "CohortMonth",
    "ComputedField",
    "ConsentEvent",
    "Contact",
    "ContactComputed",
    "ContactMerge",
    "ContactRfm",
    "ContactScore",
    "CreatedCohortMonth",
    "CustomField",
    "CustomerFirst",
    "DashboardTile",
    "DistinctPair",
    "Email",
    "EmailVersion",
    "ErasureTombstone",
    "Event",
    "EventCost",
    "EventTeamMember",
    "Exploration",
    "ExploreDaily",
    "ExploreMonthly",
    "ExploreMonthlyContact",
    "Form",
    "FormDay",
    "FormSubmission",
    "FormVersion",
    "ImportFile",
    "ImportRun",
    "ImportSource",
    "ImportedFile",
    "Interaction",
    "Job",
    "Journey",
    "JourneyBrief",
    "JourneyLeftOut",
    "JourneyRun",
    "JourneyStep",
    "JourneyVersion",
    "LandingPage",
    "LandingPageVersion",
    "MarketingSpend",
    "Opportunity",
    "Organization",
    "OutboxKey",
    "OutboxMessage",
    "OutboxSentDaily",
    "OverviewSnapshot",
    "PageDay",
    "PageVisitor",
    "Program",
    "ProgramItem",
    "PurchaseLine",
    "Registration",
    "ReportDaily",
    "ReportEmailDaily",
    "RfmMonthly",
    "RfmRun",
    "ScheduledExport",
    "ScoreChange",
    "ScoringModel",
    "Segment",
    "SegmentMember",
    "StreamCursor",
    "Suppression",
    "Template",
    "Topic",
    "TopicOptOut",
    "User",
    "UserSession",
    "Visitor",
    "VisitorEvent",
    "Webhook",
    "WebhookDelivery",
    "WebsiteSegment",
]
