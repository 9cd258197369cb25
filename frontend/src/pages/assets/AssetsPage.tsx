// The asset library: every uploaded image as a thumbnail, to find, upload, copy and delete when unused.
import { Group, Pagination, Select, SimpleGrid, Skeleton, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ASSET_TYPES, type Asset, type AssetType, useAssets } from "../../api/queries/assets";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { AssetCard } from "./AssetCard";
import { AssetUpload } from "./AssetUpload";
import { DeleteAssetModal } from "./DeleteAssetModal";
import { EditAssetModal } from "./EditAssetModal";

export function AssetsPage() {
  const { t } = useTranslation();
  const { canWrite } = useAuth();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  const [type, setType] = useState<AssetType | null>(null);
  const [deleting, setDeleting] = useState<Asset | null>(null);
  const [editing, setEditing] = useState<Asset | null>(null);
  const assets = useAssets(q, type);
  const filtered = !!q || !!type;

  return (
    <Stack>
      <div>
        <Title order={2}>{t("assets.title")}</Title>
        <Text c="dimmed" size="sm">{t("assets.intro")}</Text>
      </div>
      {canWrite && <AssetUpload />}
      <Group align="flex-end">
        <TextInput leftSection={<IconSearch size={16} />} label={t("assets.search")} placeholder={t("assets.search_hint")}
          value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={320} data-testid="assets-search" />
        <Select label={t("assets.type")} placeholder={t("assets.all_types")} clearable w={200} data-testid="assets-type"
          data={ASSET_TYPES.map((value) => ({ value, label: t(`assets.types.${value.split("/")[1]}`) }))}
          value={type} onChange={(value) => setType(value as AssetType | null)} />
        {assets.total !== undefined && (
          <Text size="sm" c="dimmed" data-testid="assets-count">{t("assets.count", { count: assets.total })}</Text>
        )}
      </Group>
      <ErrorAlert error={assets.error} testId="assets-error" />
      {assets.isLoading && (
        <SimpleGrid cols={{ base: 2, sm: 3, md: 4, lg: 6 }}>
          {[0, 1, 2, 3].map((n) => <Skeleton key={n} h={220} />)}
        </SimpleGrid>
      )}
      {assets.items && assets.items.length === 0 && (
        <Text c="dimmed" ta="center" py="xl" data-testid="assets-empty">
          {filtered ? t("assets.none_found") : t("assets.empty")}
        </Text>
      )}
      {assets.items && assets.items.length > 0 && (
        <SimpleGrid cols={{ base: 2, sm: 3, md: 4, lg: 6 }} data-testid="assets-grid">
          {assets.items.map((asset) => (
            <AssetCard key={asset.id} asset={asset} canWrite={canWrite} onEdit={() => setEditing(asset)} onDelete={() => setDeleting(asset)} />
          ))}
        </SimpleGrid>
      )}
      {assets.pager.pages > 1 && (
        <Group justify="center">
          <Pagination total={assets.pager.pages} value={assets.pager.page} onChange={assets.pager.setPage}
            data-testid="assets-pagination" aria-label={t("common.pages")}
            getItemProps={(n) => ({ "data-testid": `assets-page-${n}`, "aria-label": t("common.page_n", { page: n }) } as Record<string, string>)}
            getControlProps={(control) => ({ "aria-label": t(`common.page_control.${control}`) })} />
        </Group>
      )}
      <DeleteAssetModal asset={deleting} onClose={() => setDeleting(null)} />
      <EditAssetModal asset={editing} onClose={() => setEditing(null)} />
    </Stack>
  );
}
