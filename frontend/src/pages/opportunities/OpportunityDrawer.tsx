import { Drawer } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useTranslation } from "react-i18next";
import { useRefreshOpportunities, type Opportunity } from "../../api/queries/opportunities";
import { OpportunityForm } from "./OpportunityForm";

/** Create (no `opportunity`) or edit an opportunity in a drawer; the lists refresh once saved. */
export function OpportunityDrawer({ opened, opportunity, contactId, accountId, onClose }: {
  opened: boolean;
  opportunity?: Opportunity;
  contactId?: number;
  accountId?: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const refresh = useRefreshOpportunities();
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size="lg"
      title={opportunity ? t("opportunities.edit_title", { name: opportunity.name }) : t("opportunities.new")}
      data-testid="opportunity-drawer"
    >
      {opened && (
        <OpportunityForm
          key={opportunity?.id ?? "new"}
          opportunity={opportunity}
          contactId={contactId}
          accountId={accountId}
          onCancel={onClose}
          onSaved={() => {
            refresh();
            onClose();
            notifications.show({ color: "green", message: t("opportunities.saved") });
          }}
        />
      )}
    </Drawer>
  );
}
