"""Every table, so that Alembic sees the whole schema."""

from parcours.assets.models import Asset
from parcours.auth.models import ApiKey, User, UserSession
from parcours.behaviour.models import ComputedField
from parcours.campaigns.models import Campaign
from parcours.channels.models import OutboxMessage, Suppression
from parcours.contacts.models import (
    Account,
    ConsentEvent,
    Contact,
    ContactMerge,
    ContactRfm,
    CustomField,
    DistinctPair,
    ErasureTombstone,
    ImportFile,
)
from parcours.dataflows.models import ImportedFile, ImportRun, ImportSource, ScheduledExport
from parcours.emails.models import Email, EmailVersion, Template, Topic, TopicOptOut
from parcours.events.models import Event, EventCost, EventTeamMember, Registration
from parcours.forms.models import Form, FormDay, FormSubmission, FormVersion
from parcours.interactions.models import Interaction, StreamCursor
from parcours.jobs.models import Job
from parcours.journeys.models import Journey, JourneyLeftOut, JourneyRun, JourneyStep, JourneyVersion
from parcours.landing.models import LandingPage, LandingPageVersion, PageVisit
from parcours.organization.models import Organization
from parcours.pipeline.models import Opportunity
from parcours.reports.models import ReportDaily
from parcours.rfm.models import RfmRun
from parcours.scoring.models import ContactScore, ScoreChange, ScoringModel
from parcours.segments.models import Segment, SegmentMember
from parcours.spend.models import MarketingSpend
from parcours.visitors.models import Visitor, VisitorEvent, WebsiteSegment
from parcours.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "Account",
    "ApiKey",
    "Asset",
    "Campaign",
    "ComputedField",
    "ConsentEvent",
    "Contact",
    "ContactMerge",
    "ContactRfm",
    "ContactScore",
    "CustomField",
    "DistinctPair",
    "Email",
    "EmailVersion",
    "ErasureTombstone",
    "Event",
    "EventCost",
    "EventTeamMember",
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
    "JourneyLeftOut",
    "JourneyRun",
    "JourneyStep",
    "JourneyVersion",
    "LandingPage",
    "LandingPageVersion",
    "MarketingSpend",
    "Opportunity",
    "Organization",
    "OutboxMessage",
    "PageVisit",
    "Registration",
    "ReportDaily",
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
