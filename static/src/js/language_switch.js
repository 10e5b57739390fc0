/**
 * User menu: switch between Ukrainian and English in one click.
 *
 * Shown to users working in one of the two; the other must be installed
 * (Settings › Languages), otherwise a notification says so. The entry names
 * the target language in that language (not translated).
 */
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

const SWITCH = {
    uk_UA: { lang: "en_US", label: "English" },
    en_US: { lang: "uk_UA", label: "Українська" },
};

function vchasnoLanguageSwitchItem(env) {
    const target = SWITCH[user.context.lang];
    return {
        type: "item",
        id: "vchasno_language_switch",
        description: target?.label || "",
        show: () => Boolean(target),
        async callback() {
            const installed = await env.services.orm.call("res.lang", "get_installed");
            if (!installed.some(([code]) => code === target.lang)) {
                env.services.notification.add(
                    _t("%s is not installed: Settings › Languages", target.label),
                    { type: "warning" }
                );
                return;
            }
            await env.services.orm.write("res.users", [user.userId], { lang: target.lang });
            browser.location.reload();
        },
        sequence: 55,
    };
}

registry.category("user_menuitems").add("vchasno_language_switch", vchasnoLanguageSwitchItem);
