// One image of the library: its thumbnail, name, weight and size, and what can be done with it.
import { ActionIcon, Button, Card, CopyButton, Group, Image, Stack, Text, Tooltip } from "@mantine/core";
import { IconCheck, IconCopy, IconPencil, IconTrash } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { Asset } from "../../api/queries/assets";
import { formatDateTime } from "../../components/format";
import { formatBytes } from "./format";

export function AssetCard({ asset, canWrite, onEdit, onDelete }: { asset: Asset; canWrite: boolean; onEdit(): void; onDelete(): void }) {
  const { t } = useTranslation();
  const size = asset.width && asset.height ? t("assets.dimensions", { width: asset.width, height: asset.height }) : null;
  return (
    <Card withBorder padding="xs" data-testid={`asset-${asset.id}`} aria-label={asset.title} component="article">
      <Card.Section bg="gray.1">
        <Image src={asset.url} alt={asset.alt || asset.title} h={140} fit="contain" loading="lazy" />
      </Card.Section>
      <Stack gap={2} mt="xs">
        <Text size="sm" fw={600} truncate="end" title={asset.title} data-testid="asset-name">{asset.title}</Text>
        <Text size="xs" c="dimmed" data-testid="asset-size">
          {[formatBytes(asset.size), size].filter(Boolean).join(" · ")}
        </Text>
        <Text size="xs" c="dimmed">{formatDateTime(asset.created_at)}</Text>
      </Stack>
      <Group gap="xs" mt="xs" justify="space-between">
        <CopyButton value={asset.url}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="light" onClick={copy} data-testid="asset-copy"
              leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              aria-label={copied ? undefined : t("assets.copy_url_of", { name: asset.title })}>
              {copied ? t("common.copied") : t("assets.copy_url")}
            </Button>
          )}
        </CopyButton>
        {canWrite && (
          <Group gap={4}>
            <Tooltip label={t("assets.edit")}>
              <ActionIcon variant="subtle" onClick={onEdit} data-testid="asset-edit" aria-label={t("assets.edit_named", { name: asset.title })}>
                <IconPencil size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label={t("assets.delete")}>
              <ActionIcon variant="subtle" color="red" onClick={onDelete} data-testid="asset-delete"
                aria-label={t("assets.delete_named", { name: asset.title })}>
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        )}
      </Group>
    </Card>
  );
}
