// Naming an image: the title the library shows and finds it by, and the text read in its place.
import { Button, Group, Modal, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { type Asset, keys, updateAsset } from "../../api/queries/assets";
import { ErrorAlert } from "../../components/ErrorAlert";

const TITLE_MAX = 200;
const ALT_MAX = 300;

export function EditAssetModal({ asset, onClose }: { asset: Asset | null; onClose(): void }) {
  return (
    <Modal opened={!!asset} onClose={onClose} title={asset?.title ?? ""} data-testid="asset-edit-modal">
      {asset && <EditAssetForm key={asset.id} asset={asset} onClose={onClose} />}
    </Modal>
  );
}

function EditAssetForm({ asset, onClose }: { asset: Asset; onClose(): void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [title, setTitle] = useState(asset.title);
  const [alt, setAlt] = useState(asset.alt);
  const save = useMutation({
    mutationFn: () => updateAsset(asset.id, { title: title.trim(), alt: alt.trim() }),
    onSuccess: async () => {
      onClose();
      await client.invalidateQueries({ queryKey: keys.all });
    },
  });
  const fieldError = (field: string) => (save.error instanceof ApiError && save.error.field === field ? save.error.message : null);
  const titleError = title.length > TITLE_MAX ? t("assets.too_long", { max: TITLE_MAX }) : fieldError("title");
  const altError = alt.length > ALT_MAX ? t("assets.too_long", { max: ALT_MAX }) : fieldError("alt");
  return (
    <form onSubmit={(e) => { e.preventDefault(); if (!titleError && !altError) save.mutate(); }}>
      <Stack>
        <TextInput label={t("assets.title_field")} description={t("assets.title_hint")} value={title}
          onChange={(e) => setTitle(e.currentTarget.value)} error={titleError} data-testid="asset-title" data-autofocus />
        <TextInput label={t("assets.alt_field")} description={t("assets.alt_hint")} value={alt}
          onChange={(e) => setAlt(e.currentTarget.value)} error={altError} data-testid="asset-alt" />
        {save.error && !fieldError("title") && !fieldError("alt") && <ErrorAlert error={save.error} testId="asset-edit-error" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="asset-edit-cancel">{t("common.cancel")}</Button>
          <Button type="submit" loading={save.isPending} disabled={!!titleError || !!altError} data-testid="asset-edit-save">
            {t("common.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
