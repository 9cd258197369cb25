import { Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import i18n from "../i18n";

/** Ask before something that cannot be undone; the red button carries `testId`. */
export function confirmDanger(options: {
  title: string;
  message: string;
  confirm: string;
  testId: string;
  onConfirm: () => Promise<void> | void;
}) {
  modals.openConfirmModal({
    title: options.title,
    children: <Text size="sm">{options.message}</Text>,
    labels: { confirm: options.confirm, cancel: i18n.t("common.cancel") },
    confirmProps: { color: "red", "data-testid": options.testId } as never,
    onConfirm: () => void options.onConfirm(),
  });
}
