import { Loader } from "@mantine/core";
import { Suspense, lazy } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { useAuth } from "./auth/AuthProvider";
import { Layout } from "./components/Layout";
import { CompaniesPage } from "./pages/companies/CompaniesPage";
import { CompanyDetailPage } from "./pages/companies/CompanyDetailPage";
import { ContactDetailPage } from "./pages/contacts/ContactDetailPage";
import { EmailsArea } from "./pages/emails/EmailsArea";
import { EventsPage } from "./pages/events/EventsPage";
import { FormsPage } from "./pages/forms/FormsPage";
import { ContactsPage } from "./pages/contacts/ContactsPage";
import { DataFlowsPage } from "./pages/dataflows/DataFlowsPage";
import { DuplicatesPage } from "./pages/contacts/DuplicatesPage";
import { ImportPage } from "./pages/import/ImportPage";
import { JourneysPage } from "./pages/journeys/JourneysPage";
import { LandingPagesList } from "./pages/landing/LandingPagesList";
import { LoginPage } from "./pages/login/LoginPage";
import { NotFound } from "./pages/notfound/NotFound";
import { AssetsPage } from "./pages/assets/AssetsPage";
import { BehaviourFieldsPage } from "./pages/behaviour/BehaviourFieldsPage";
import { SegmentEditorPage } from "./pages/segments/SegmentEditorPage";
import { SegmentsPage } from "./pages/segments/SegmentsPage";
import { ReportsArea } from "./pages/reports/ReportsArea";
import { ScoringModelsPage } from "./pages/scoring/ScoringModelsPage";
import { SettingsPage } from "./pages/settings/SettingsPage";

// The canvas (React Flow, dagre) loads only when a journey is opened.
const JourneyEditorPage = lazy(() => import("./pages/journeys/JourneyEditorPage").then((m) => ({ default: m.JourneyEditorPage })));
// The scoring editor and the pipeline board (drag and drop) load when opened.
const ScoringModelEditorPage = lazy(() =>
  import("./pages/scoring/ScoringModelEditorPage").then((m) => ({ default: m.ScoringModelEditorPage })),
);
// The event editor and its tabs (charts included) load when an event is opened.
const EventEditorPage = lazy(() => import("./pages/events/EventEditorPage").then((m) => ({ default: m.EventEditorPage })));
// The form designer (drag and drop, charts) loads when a form is opened.
const FormEditorPage = lazy(() => import("./pages/forms/FormEditorPage").then((m) => ({ default: m.FormEditorPage })));
// The landing page editor (GrapesJS, charts) loads when a page is opened.
const LandingEditorPage = lazy(() => import("./pages/landing/LandingEditorPage").then((m) => ({ default: m.LandingEditorPage })));
const PipelinePage = lazy(() => import("./pages/pipeline/PipelinePage").then((m) => ({ default: m.PipelinePage })));

export function App() {
  const { me } = useAuth();
  const location = useLocation();
  if (!me) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname }} />} />
      </Routes>
    );
  }
  return (
    <Layout>
      <Routes>
        <Route path="/" element={<Navigate to="/contacts" replace />} />
        <Route path="/login" element={<Navigate to={(location.state as { from?: string })?.from ?? "/contacts"} replace />} />
        <Route path="/contacts" element={<ContactsPage />} />
        <Route path="/contacts/import" element={<ImportPage />} />
        <Route path="/contacts/duplicates" element={<DuplicatesPage />} />
        <Route path="/contacts/:id" element={<ContactDetailPage />} />
        <Route path="/companies" element={<CompaniesPage />} />
        <Route path="/companies/:id" element={<CompanyDetailPage />} />
        <Route path="/data/*" element={<DataFlowsPage />} />
        <Route path="/settings/*" element={<SettingsPage />} />
        <Route path="/segments" element={<SegmentsPage />} />
        <Route path="/behaviour" element={<BehaviourFieldsPage />} />
        <Route path="/segments/new" element={<SegmentEditorPage key="new" />} />
        <Route path="/segments/:id" element={<SegmentEditorPage key="edit" />} />
        <Route path="/emails/*" element={<EmailsArea />} />
        <Route path="/assets" element={<AssetsPage />} />
        <Route path="/forms" element={<FormsPage />} />
        <Route path="/forms/:id" element={<Suspense fallback={<Loader />}><FormEditorPage /></Suspense>} />
        <Route path="/pages" element={<LandingPagesList />} />
        <Route path="/pages/:id" element={<Suspense fallback={<Loader />}><LandingEditorPage /></Suspense>} />
        <Route path="/journeys" element={<JourneysPage />} />
        <Route path="/journeys/:id" element={<Suspense fallback={<Loader />}><JourneyEditorPage /></Suspense>} />
        <Route path="/scoring" element={<ScoringModelsPage />} />
        <Route path="/scoring/new" element={<Suspense fallback={<Loader />}><ScoringModelEditorPage /></Suspense>} />
        <Route path="/scoring/:id" element={<Suspense fallback={<Loader />}><ScoringModelEditorPage /></Suspense>} />
        <Route path="/pipeline" element={<Suspense fallback={<Loader />}><PipelinePage /></Suspense>} />
        <Route path="/events" element={<EventsPage />} />
        <Route path="/events/new" element={<Suspense fallback={<Loader />}><EventEditorPage /></Suspense>} />
        <Route path="/events/:id" element={<Suspense fallback={<Loader />}><EventEditorPage /></Suspense>} />
        <Route path="/reports/*" element={<ReportsArea />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Layout>
  );
}
