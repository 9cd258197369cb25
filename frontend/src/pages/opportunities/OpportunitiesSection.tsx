import { Button, Group, Stack, Title } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAuth } from "../../auth/AuthProvider";
import { OpportunitiesTable } from "./OpportunitiesTable";
import { OpportunityDrawer } from "./OpportunityDrawer";

/** A contact's or a company's opportunities, with "New opportunity" (set with this contact or company). */
export function OpportunitiesSection({ contactId, accountId }: { contactId?: number; accountId?: number }) {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const [creating, setCreating] = useState(false);
  const query = contactId ? { contact_id: contactId } : { account_id: accountId };
  return (
    <Stack gap="xs" data-testid="opportunities-section">
      <Group justify="space-between">
        <Title order={4}>{t("opportunities.title")}</Title>
        {canWrite && (
          <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => setCreating(true)} data-testid="opportunities-section-new">
            {t("opportunities.new")}
          </Button>
        )}
      </Group>
      <OpportunitiesTable
        query={query}
        testId="opportunities-section-table"
        hide={contactId ? ["contact"] : ["account"]}
        empty={t("opportunities.empty_here")}
      />
      <OpportunityDrawer opened={creating} contactId={contactId} accountId={accountId} onClose={() => setCreating(false)} />
    </Stack>
  );
}
