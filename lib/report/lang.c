/* SPDX-License-Identifier: Apache-2.0
 *
 * lang.c — the report's fixed words in English and Ukrainian. Data and
 * figures come from the records and analysis documents as they are (the
 * analysis sentences are English); only the report's own headings and
 * labels are translated here. */
#include <string.h>

#include "report/report_int.h"

static const struct msg {
    const char *id, *en, *uk;
} msgs[] = {
    {"title.finding", "Briefing report: finding",
     "Брифінговий звіт: висновок"},
    {"title.items", "Briefing report: weapons",
     "Брифінговий звіт: озброєння"},
    {"title.event", "Briefing report: documentation event",
     "Брифінговий звіт: документування"},
    {"date", "Report date", "Дата звіту"},
    {"statement", "Statement", "Твердження"},
    {"status", "Status", "Статус"},
    {"author", "Author", "Автор"},
    {"reviewer", "Reviewer", "Рецензент"},
    {"withheld", "(withheld in the public view)",
     "(приховано в публічному поданні)"},
    {"none", "(none)", "(немає)"},
    {"public.note", "Public view: built from the public export only (remnant export "
                    "--public: published findings and the records they cite); every figure "
                    "is what the analyses give on that export; restricted fields are "
                    "omitted and coordinates are rounded to the public grid.",
     "Публічне подання: лише з публічного експорту (remnant "
     "export --public: "
     "опубліковані висновки та записи, на які вони "
     "посилаються); "
     "кожне число "
     "— те, що дають аналізи на цьому експорті; "
     "службові поля вилучено, "
     "координати округлено до публічної сітки."},
    {"h.weapons", "1. The weapons concerned",
     "1. Озброєння, про яке йдеться"},
    {"weapon", "Weapon", "Озброєння"},
    {"system", "System", "Система"},
    {"state", "Producing state", "Держава-виробник"},
    {"where", "Where documented", "Де задокументовано"},
    {"when", "When", "Коли"},
    {"map", "Places where the weapons were documented", "Місця документування"},
    {"map.source", "Map: Natural Earth country shapes (public domain), via world-atlas.",
     "Карта: контури країн Natural "
     "Earth (суспільне надбання), з world-atlas."},
    {"map.none", "No place with coordinates can be shown.",
     "Немає місць із координатами, які можна показати."},
    {"h.timeline", "2. Production to use",
     "2. Від виробництва до застосування"},
    {"timeline.none", "No item has both a production date and a date of use.",
     "Жоден предмет не має одночасно "
     "дати виробництва та дати застосування."},
    {"timeline.legend", "Light bar: production date interval; dark bar: date of use; thin "
                        "line: the whole span that the interval in days covers.",
     "Світлий відрізок: інтервал дати виробництва; "
     "темний: дата застосування; тонка лінія: "
     "увесь можливий проміжок."},
    {"h.origin", "3. Component origin", "3. Походження компонентів"},
    {"by_country", "Components by manufacturer's country",
     "Компоненти за країною виробника"},
    {"by_manufacturer", "Components by manufacturer",
     "Компоненти за виробником"},
    {"date_codes", "Date codes by year", "Коди дат за роками"},
    {"assembly", "Earliest possible assembly",
     "Найраніша можлива дата складання"},
    {"origin.none", "No components recorded.", "Компоненти не записані."},
    {"h.sanctions", "4. Sanctions leads (for review, not conclusions)",
     "4. Санкційні зачіпки (для перевірки, не висновки)"},
    {"lead", "LEAD FOR REVIEW", "ЗАЧІПКА ДЛЯ ПЕРЕВІРКИ"},
    {"sanctions.none", "No sanctions lead for these weapons.",
     "Для цього озброєння санкційних зачіпок немає."},
    {"component", "Component", "Компонент"},
    {"produced", "Produced", "Виготовлено"},
    {"measure", "Measure (adopted)", "Захід (ухвалено)"},
    {"relation", "Relation", "Співвідношення"},
    {"h.evidence", "5. Evidence", "5. Докази"},
    {"record", "Record", "Запис"},
    {"marking", "Marking", "Маркування"},
    {"reading", "Decoded reading (rule, confidence)",
     "Прочитання (правило, впевненість)"},
    {"source", "Source (see below)", "Джерело (див. нижче)"},
    {"photos", "Photographs", "Фотографії"},
    {"sources", "Sources of the decoding rules", "Джерела правил декодування"},
    {"photos.none", "No photograph can be shown.",
     "Немає фотографій, які можна показати."},
    {"h.verify", "6. How to verify", "6. Як перевірити"},
    {"checkpoint", "Signed checkpoint of the evidence log",
     "Підписана контрольна точка журналу"},
    {"origin.log", "Log origin", "Походження журналу"},
    {"size", "Tree size", "Розмір дерева"},
    {"root", "Root hash", "Кореневий хеш"},
    {"log_index", "Log index of the latest entry",
     "Індекс останнього запису в журналі"},
    {"bundle", "Evidence bundle", "Пакет доказів"},
    {"bundle.pub", " (public: the disclosures of the public fields only)",
     " (публічний: розкриття лише публічних полів)"},
    {"bundle.sha", "SHA-256 of the bundle", "SHA-256 пакета"},
    {"verify.cmd", "Check it offline, with the log's verifier key (remnant key show):",
     "Перевірте офлайн ключем перевірки журналу (remnant key show):"},
    {"unsigned", "The latest checkpoint is not signed, so no evidence bundle can be made "
                 "(make a signing key with `remnant key create`).",
     "Остання контрольна точка не підписана, "
     "тож пакет доказів створити неможливо "
     "(створіть ключ: `remnant key create`)."},
    {"basis", "Every figure is read from the analysis documents of `remnant timeline`, "
              "`remnant origin` and `remnant sanctions` (--json), which name the basis of "
              "each number.",
     "Кожне число взято з аналітичних документів `remnant timeline`, "
     "`remnant origin` і `remnant sanctions` (--json), де названо підставу "
     "кожного числа."},
    {"page", "Remnant briefing report", "Брифінговий звіт Remnant"},
};

const char *rp_msg(const char *lang, const char *id)
{
    int uk = lang && strcmp(lang, "uk") == 0;
    for (size_t i = 0; i < RN_ARRAY_LEN(msgs); i++)
        if (strcmp(msgs[i].id, id) == 0)
            return uk ? msgs[i].uk : msgs[i].en;
    return id;
}
