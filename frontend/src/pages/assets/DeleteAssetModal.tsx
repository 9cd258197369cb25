// Deleting an image: asked first, and refused with the places that still show it.
import { Anchor, Button, Group, List, Loader, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type Asset, deleteAsset, keys, useAsset } from "../../api/queries/assets";
import { ErrorAlert } from "../../components/ErrorAlert";

type Use = { kind: string; id: number; name: string };

function placeLink(use: Use): string | null {
  if (use.kind === "email") return `/emails/${use.id}`;
  if (use.kind === "page") return `/pages/${use.id}`;
  return null; // templates are managed in the settings
}

export function DeleteAssetModal({ asset, onClose }: { asset: Asset | null; onClose(): void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const detail = useAsset(asset?.id ?? null);
  const remove = useMutation({
    mutationFn: () => deleteAsset(asset?.id ?? ""),
    onSuccess: async () => {
      notifications.show({ color: "green", message: t("assets.deleted", { name: asset?.title }) });
      onClose();
      await client.invalidateQueries({ queryKey: keys.all });
    },
  });
  const usedBy = detail.data?.used_by ?? [];
  const inUse = usedBy.length > 0;

  return (
    <Modal opened={!!asset} onClose={() => { remove.reset(); onClose(); }} title={t("assets.delete_title", { name: asset?.title ?? "" })}
      data-testid="asset-delete-modal">
      <Stack>
        {detail.isLoading && <Group gap="xs"><Loader size="xs" /><Text size="sm">{t("assets.checking_use")}</Text></Group>}
        <ErrorAlert error={detail.error ?? remove.error} testId="asset-delete-error" />
        {detail.data && inUse && (
          <div data-testid="asset-in-use">
            <Text size="sm">{t("assets.in_use", { count: usedBy.length })}</Text>
            <List size="sm" mt="xs">
              {usedBy.map((use) => {
                const to = placeLink(use);
                const label = t(`assets.kinds.${use.kind}`, { name: use.name, defaultValue: use.name });
                return (
                  <List.Item key={`${use.kind}-${use.id}`} data-testid="asset-used-by">
                    {to ? <Anchor component={Link} to={to}>{label}</Anchor> : label}
                  </List.Item>
                );
              })}
            </List>
          </div>
        )}
        {detail.data && !inUse && <Text size="sm" data-testid="asset-unused">{t("assets.delete_message")}</Text>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="asset-delete-keep">{t("assets.keep")}</Button>
          <Button color="red" disabled={!detail.data || inUse} loading={remove.isPending}
            onClick={() => remove.mutate()} data-testid="asset-delete-confirm">
            {t("assets.delete_confirm")}
          </Button>
        </Group>
        {inUse && <Text size="xs" c="dimmed" data-testid="asset-delete-reason">{t("assets.delete_disabled")}</Text>}
      </Stack>
    </Modal>
  );
}
