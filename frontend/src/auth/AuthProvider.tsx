import { Center, Loader } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { api, setCsrfToken, unwrap, type Me } from "../api/client";
import { rememberLanguage } from "../i18n";

type Auth = {
  me: Me | null;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  setLanguage: (language: "en" | "fr") => Promise<void>;
  isAdmin: boolean;
  canWrite: boolean;
};

const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const { i18n } = useTranslation();
  const queries = useQueryClient();

  const adopt = useCallback(
    (next: Me | null) => {
      setCsrfToken(next?.csrf_token ?? null);
      setMe(next);
      const language = next?.user?.language;
      if (language && language !== i18n.language) void i18n.changeLanguage(language);
    },
    [i18n],
  );

  useEffect(() => {
    api.GET("/api/auth/me").then(({ data }) => {
      adopt(data ?? null);
      setLoading(false);
    });
  }, [adopt]);

  useEffect(() => rememberLanguage(i18n.language), [i18n.language]);

  const login = useCallback(
    async (email: string, password: string) => {
      adopt(await unwrap(api.POST("/api/auth/login", { body: { email, password } })));
    },
    [adopt],
  );

  const logout = useCallback(async () => {
    await api.POST("/api/auth/logout");
    queries.clear();
    adopt(null);
  }, [adopt, queries]);

  const setLanguage = useCallback(
    async (language: "en" | "fr") => {
      await i18n.changeLanguage(language);
      if (me?.user) adopt(await unwrap(api.PATCH("/api/auth/me", { body: { language } })));
    },
    [i18n, me, adopt],
  );

  if (loading)
    return (
      <Center h="100vh">
        <Loader data-testid="app-loading" />
      </Center>
    );
  const value: Auth = {
    me,
    login,
    logout,
    setLanguage,
    isAdmin: me?.role === "admin",
    canWrite: me?.role === "admin" || me?.role === "marketer",
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
