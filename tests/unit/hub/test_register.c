/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_register.c - the register's entity layer (reg.c): every entity's
 * statements agree with its column table, licence keys are masked, writes
 * and references stay inside the caller's outlet, staff and JSON updates
 * change only what they may, and a 2FA change appends one observation.
 *
 * The requests are built by hand (no HTTP server): reg.c reads only the
 * caller, the parsed form or JSON, and the database connection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kalkan/hub.h"
#include "hub_test.h"
#include "reg.h"

static const struct reg_entity *const all_entities[] = {
    &reg_outlets,  &reg_people,   &reg_devices,
    &reg_accounts, &reg_licences, &reg_websites,
};

struct world {
    struct hub_test_db h;
    int64_t focal_a, staff_a;
    struct hub_req r;
    struct hub_form *form;
    struct hub_json *json;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    struct kk_diag d = {.msg = ""};
    assert_non_null(w);
    hub_test_db_open(
        &w->h, "reg",
        "INSERT INTO devices (id, outlet_id, kind, ownership, os, "
        "custodian_id, created_at) VALUES (1002, 1000, 'laptop', "
        "'office', 'Linux', 1001, 0), (2002, 2000, 'phone', 'office', "
        "'Android', 2001, 0);"
        "INSERT INTO accounts (id, outlet_id, platform, kind, handle, "
        "person_id, created_at) VALUES (1003, 1000, 'email', "
        "'personal', 'aida@a.example', 1001, 0);",
        &w->focal_a);
    assert_int_equal(hub_user_add(w->h.db, "staff@a.example", "staff", "a",
                                  "a long password", NULL, 0, &w->staff_a, &d),
                     KK_OK);
    w->r.db = w->h.conn;
    w->r.out = kk_buf_new(1 << 20);
    assert_non_null(w->r.out);
    assert_int_equal(hub_form_parse("", 0, &w->r.query, NULL), KK_OK);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    hub_form_free(w->form);
    hub_json_free(w->json);
    hub_form_free(w->r.query);
    kk_buf_free(w->r.out);
    hub_test_db_close(&w->h);
    free(w);
    return 0;
}

/* Acts as user uid (role, person) with a form body or a JSON body. */
static struct hub_req *as(struct world *w, int64_t uid, int role,
                          int64_t person, const char *form, const char *json)
{
    hub_form_free(w->form);
    hub_json_free(w->json);
    w->form = NULL;
    w->json = NULL;
    assert_int_equal(hub_form_parse(form != NULL ? form : "",
                                    form != NULL ? strlen(form) : 0, &w->form,
                                    NULL),
                     KK_OK);
    if (json != NULL)
        assert_int_equal(hub_json_parse(json, strlen(json), &w->json, NULL),
                         KK_OK);
    w->r.form = w->form;
    w->r.json = w->json;
    memset(&w->r.who, 0, sizeof w->r.who);
    w->r.who.user_id = uid;
    w->r.who.role = role;
    w->r.who.person_id = person;
    return &w->r;
}

static void every_select_lists_the_entity_columns(void **state)
{
    struct world *w = *state;
    for (size_t i = 0; i < sizeof all_entities / sizeof all_entities[0]; i++) {
        const struct reg_entity *e = all_entities[i];
        sqlite3_stmt *st = hub_q(w->h.conn, e->q_select);
        assert_non_null(st);
        if ((size_t)sqlite3_column_count(st) != REG_FIRST_COL + e->n_cols)
            fail_msg("%s: the select has %d columns, the table %zu", e->path,
                     sqlite3_column_count(st), REG_FIRST_COL + e->n_cols);
        assert_true(e->n_cols <= REG_COLS_MAX);
    }
}

static void every_input_column_is_bound_by_insert_and_update(void **state)
{
    struct world *w = *state;
    for (size_t i = 0; i < sizeof all_entities / sizeof all_entities[0]; i++) {
        const struct reg_entity *e = all_entities[i];
        sqlite3_stmt *ins = hub_q(w->h.conn, e->q_insert);
        sqlite3_stmt *upd = hub_q(w->h.conn, e->q_update);
        assert_non_null(ins);
        assert_non_null(upd);
        for (size_t c = 0; c < e->n_cols; c++) {
            const struct reg_col *col = &e->cols[c];
            if (col->flags & (REG_RO | REG_EXTRA | REG_MULTI))
                continue;
            if (sqlite3_bind_parameter_index(ins, col->param) == 0 ||
                sqlite3_bind_parameter_index(upd, col->param) == 0)
                fail_msg("%s.%s: %s is not bound", e->path, col->name,
                         col->param);
        }
    }
}

/* A value for col that passes its checks, distinct from its default. */
static void sample(const struct reg_col *col, char *out, size_t cap)
{
    if (col->ref == REG_REF_PERSON)
        snprintf(out, cap, "1011");
    else if (col->ref == REG_REF_DEVICE)
        snprintf(out, cap, "1002");
    else if (col->en != NULL)
        snprintf(out, cap, "%s", col->en->name(col->en->count));
    else if (col->type == HUB_F_INT)
        snprintf(out, cap, "%lld", (long long)col->max);
    else if (col->type == HUB_F_DATE)
        snprintf(out, cap, "2030-01-%02zu", strlen(col->name) % 28 + 1);
    else if (col->type == HUB_F_EMAIL)
        snprintf(out, cap, "%s@example.org", col->name);
    else if (col->type == HUB_F_BOOL)
        snprintf(out, cap, "1");
    else
        snprintf(out, cap, "t-%s-abcdefghij", col->name);
    if (col->check != NULL && !col->check(out))
        snprintf(out, cap, "https://%s.example", col->name);
}

static void every_column_reads_back_what_was_written(void **state)
{
    struct world *w = *state;
    for (size_t i = 0; i < sizeof all_entities / sizeof all_entities[0]; i++) {
        const struct reg_entity *e = all_entities[i];
        struct kk_buf *b = kk_buf_new(4096);
        char v[REG_COLS_MAX][96], want[128];
        struct reg_input in;
        struct reg_row row;
        struct hub_req *r;
        int64_t outlet = e->child ? 1000 : 0, id = 0;
        assert_non_null(b);
        for (size_t c = 0; c < e->n_cols; c++) {
            if (e->cols[c].flags & (REG_RO | REG_MULTI))
                continue;
            sample(&e->cols[c], v[c], sizeof v[c]);
            assert_int_equal(kk_buf_putf(b, "%s%s=", kk_buf_len(b) ? "&" : "",
                                         e->cols[c].name),
                             KK_OK);
            assert_int_equal(hub_url_encode(b, v[c]), KK_OK);
        }
        /* Outlets are created by a trainer. */
        r = as(w, e->child ? w->focal_a : w->staff_a,
               e->child ? HUB_ROLE_FOCAL : HUB_ROLE_TRAINER, 0, kk_buf_str(b),
               NULL);
        if (!e->child)
            hub_test_exec(w->h.raw, "UPDATE users SET role = 'trainer' WHERE "
                                    "email = 'staff@a.example'");
        if (reg_input_read(r, e, outlet, NULL, &in) != KK_OK)
            fail_msg("%s: %s %s", e->path, in.bad, in.why);
        assert_int_equal(hub_tx_begin(w->h.conn), KK_OK);
        assert_int_equal(reg_write(r, e, outlet, NULL, &in, &id), KK_OK);
        assert_int_equal(hub_tx_commit(w->h.conn), KK_OK);
        assert_int_equal(reg_row_init(&row), KK_OK);
        assert_int_equal(reg_row_get(r, e, outlet, id, &row), KK_OK);
        for (size_t c = 0; c < e->n_cols; c++) {
            if (e->cols[c].flags & (REG_RO | REG_MULTI))
                continue;
            if (e->cols[c].flags & REG_MASK)
                reg_key_mask(v[c], want, sizeof want);
            else
                memcpy(want, v[c], sizeof v[c]);
            if (strcmp(reg_val(&row, c), want) != 0)
                fail_msg("%s.%s: wrote '%s', read '%s'", e->path,
                         e->cols[c].name, want, reg_val(&row, c));
        }
        reg_row_free(&row);
        kk_buf_free(b);
    }
}

static void licence_keys_keep_at_most_five_characters(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"W269N-WFGWX-YVC9B-4J6C9-T83GX", "•••••-T83GX"},
        {"  ABCDEFGHIJ  ", "•••••-FGHIJ"},
        {"ABCD", "•••••-CD"},
        {"X", "•••••-"},
        {"", ""},
        {"•••••-T83GX", "•••••-T83GX"},
        {"•••••-AAAAABBBBB", "•••••-BBBBB"},
        {"ключ-лицензии-ЁЖЗИЙ", "•••••-ЁЖЗИЙ"},
    };
    char out[64];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reg_key_mask(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
}

static void another_outlets_object_is_not_found(void **state)
{
    struct world *w = *state;
    struct hub_req *r = as(w, w->focal_a, HUB_ROLE_FOCAL, 0, NULL, NULL);
    struct reg_row row;
    assert_int_equal(reg_row_init(&row), KK_OK);
    assert_int_equal(reg_row_get(r, &reg_people, 2000, 2001, &row),
                     KK_ERR_NOTFOUND);
    assert_int_equal(reg_row_get(r, &reg_people, 1000, 2001, &row),
                     KK_ERR_NOTFOUND);
    assert_int_equal(reg_archive(r, &reg_people, 2000, 2001), KK_ERR_NOTFOUND);
    assert_int_equal(reg_archive(r, &reg_people, 1000, 2001), KK_ERR_NOTFOUND);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM people WHERE "
                                    "archived_at IS NOT NULL"),
                     0);
    assert_int_equal(reg_row_get(r, &reg_people, 1000, 1001, &row), KK_OK);
    assert_string_equal(reg_val(&row, 0), "Aida");
    reg_row_free(&row);
}

static void a_new_object_in_another_outlet_is_refused(void **state)
{
    struct world *w = *state;
    struct hub_req *r =
        as(w, w->focal_a, HUB_ROLE_FOCAL, 0, "name=Eve&department=tech", NULL);
    struct reg_input in;
    int64_t id = 0;
    assert_int_equal(reg_input_read(r, &reg_people, 2000, NULL, &in), KK_OK);
    assert_int_equal(reg_write(r, &reg_people, 2000, NULL, &in, &id),
                     KK_ERR_NOTFOUND);
    assert_int_equal(reg_write(r, &reg_people, 1000, NULL, &in, &id), KK_OK);
    assert_true(id >= (INT64_C(1) << 40));
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM people WHERE "
                                    "name = 'Eve' AND outlet_id = 1000"),
                     1);
    assert_true(hub_test_count(w->h.raw,
                               "SELECT count(*) FROM audit WHERE action = "
                               "'create' AND object = 'person'") == 1);
}

static void a_reference_to_another_outlet_is_refused(void **state)
{
    struct world *w = *state;
    struct hub_req *r =
        as(w, w->focal_a, HUB_ROLE_FOCAL, 0, "kind=phone&custodian=2001", NULL);
    struct reg_input in;
    assert_int_equal(reg_input_read(r, &reg_devices, 1000, NULL, &in),
                     KK_ERR_INVAL);
    assert_string_equal(in.bad, "custodian");
    r = as(w, w->focal_a, HUB_ROLE_FOCAL, 0, "kind=phone&custodian=1011", NULL);
    assert_int_equal(reg_input_read(r, &reg_devices, 1000, NULL, &in), KK_OK);
    r = as(w, w->focal_a, HUB_ROLE_FOCAL, 0,
           "platform=fb_page&handle=p&admins=1001&admins=2001", NULL);
    assert_int_equal(reg_input_read(r, &reg_accounts, 1000, NULL, &in),
                     KK_ERR_INVAL);
    assert_string_equal(in.bad, "admins");
}

static void an_unknown_enum_names_its_field(void **state)
{
    struct world *w = *state;
    struct hub_req *r = as(w, w->focal_a, HUB_ROLE_FOCAL, 0, NULL,
                           "{\"name\":\"X\",\"department\":\"cooking\","
                           "\"unknown\":[1,2]}");
    struct reg_input in;
    assert_int_equal(reg_input_read(r, &reg_people, 1000, NULL, &in),
                     KK_ERR_INVAL);
    assert_string_equal(in.bad, "department");
    r = as(w, w->focal_a, HUB_ROLE_FOCAL, 0, "department=tech", NULL);
    assert_int_equal(reg_input_read(r, &reg_people, 1000, NULL, &in),
                     KK_ERR_INVAL);
    assert_string_equal(in.bad, "name");
    assert_string_equal(in.why, "Required.");
}

static void staff_change_only_their_columns(void **state)
{
    struct world *w = *state;
    struct hub_req *r = as(w, w->staff_a, HUB_ROLE_STAFF, 1001,
                           "kind=desktop&os=Windows&os_version=11&"
                           "ownership=personal&custodian=1011",
                           NULL);
    struct reg_row row;
    struct reg_input in;
    int64_t id = 0;
    hub_test_exec(w->h.raw, "UPDATE users SET person_id = 1001 WHERE email = "
                            "'staff@a.example'");
    assert_int_equal(reg_row_init(&row), KK_OK);
    assert_int_equal(reg_row_get(r, &reg_devices, 1000, 1002, &row), KK_OK);
    assert_int_equal(reg_input_read(r, &reg_devices, 1000, &row, &in), KK_OK);
    assert_string_equal(in.val[reg_col_index(&reg_devices, "os")], "Windows");
    assert_string_equal(in.val[reg_col_index(&reg_devices, "ownership")],
                        "office");
    assert_string_equal(in.val[reg_col_index(&reg_devices, "custodian")],
                        "1001");
    assert_int_equal(reg_write(r, &reg_devices, 1000, &row, &in, &id), KK_OK);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM devices WHERE "
                                    "id = 1002 AND os = 'Windows' AND "
                                    "custodian_id = 1001 AND "
                                    "ownership = 'office'"),
                     1);
    /* Not their colleague's records, not a new person. */
    assert_int_equal(reg_row_get(r, &reg_people, 1000, 1011, &row),
                     KK_ERR_NOTFOUND);
    r = as(w, w->staff_a, HUB_ROLE_STAFF, 1001, "name=Eve&department=tech",
           NULL);
    assert_int_equal(reg_input_read(r, &reg_people, 1000, NULL, &in), KK_OK);
    assert_int_equal(reg_write(r, &reg_people, 1000, NULL, &in, &id),
                     KK_ERR_NOTFOUND);
    reg_row_free(&row);
}

static void a_json_update_keeps_the_keys_it_does_not_send(void **state)
{
    struct world *w = *state;
    struct hub_req *r = as(w, w->focal_a, HUB_ROLE_FOCAL, 0, NULL,
                           "{\"os_version\":\"24.04\"}");
    struct reg_row row;
    struct reg_input in;
    int64_t id = 0;
    assert_int_equal(reg_row_init(&row), KK_OK);
    assert_int_equal(reg_row_get(r, &reg_devices, 1000, 1002, &row), KK_OK);
    assert_int_equal(reg_input_read(r, &reg_devices, 1000, &row, &in), KK_OK);
    assert_int_equal(reg_write(r, &reg_devices, 1000, &row, &in, &id), KK_OK);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM devices WHERE "
                                    "id = 1002 AND os = 'Linux' AND "
                                    "os_version = '24.04' AND "
                                    "custodian_id = 1001"),
                     1);
    reg_row_free(&row);
}

static void a_2fa_change_appends_one_observation(void **state)
{
    struct world *w = *state;
    struct hub_req *r = as(w, w->focal_a, HUB_ROLE_FOCAL, 0, NULL, NULL);
    struct reg_row row;
    assert_int_equal(reg_row_init(&row), KK_OK);
    assert_int_equal(reg_row_get(r, &reg_accounts, 1000, 1003, &row), KK_OK);
    assert_int_equal(reg_tfa_set(r, &row, "sms"), KK_OK);
    assert_int_equal(reg_row_get(r, &reg_accounts, 1000, 1003, &row), KK_OK);
    assert_string_equal(reg_val(&row, reg_col_index(&reg_accounts, "tfa")),
                        "sms");
    assert_int_equal(reg_tfa_set(r, &row, "sms"), KK_OK); /* no change */
    assert_int_equal(reg_tfa_set(r, &row, "passkey"), KK_OK);
    assert_int_equal(reg_tfa_set(r, &row, "carrier pigeon"), KK_ERR_INVAL);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM observations "
                                    "WHERE subject_id = 1003"),
                     2);
    assert_int_equal(hub_test_count(w->h.raw,
                                    "SELECT count(*) FROM observations "
                                    "WHERE subject_id = 1003 AND "
                                    "control_id = 'ACC-01' AND "
                                    "source = 'manual' AND "
                                    "((value = 'sms' AND status = "
                                    "'partial') OR (value = 'passkey' AND "
                                    "status = 'pass'))"),
                     2);
    reg_row_free(&row);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_select_lists_the_entity_columns,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            every_input_column_is_bound_by_insert_and_update, setup, teardown),
        cmocka_unit_test_setup_teardown(
            every_column_reads_back_what_was_written, setup, teardown),
        cmocka_unit_test(licence_keys_keep_at_most_five_characters),
        cmocka_unit_test_setup_teardown(another_outlets_object_is_not_found,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_new_object_in_another_outlet_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_reference_to_another_outlet_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unknown_enum_names_its_field, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(staff_change_only_their_columns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_json_update_keeps_the_keys_it_does_not_send, setup, teardown),
        cmocka_unit_test_setup_teardown(a_2fa_change_appends_one_observation,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
