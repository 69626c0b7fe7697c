# What is declared once must stay declared once: the lists that --help, the
# man pages and the messages repeat are checked against their one source.
. "$HONK_TOP/tests/lib.sh"
cd "$HONK_TOP" || exit 1

# The approve policies: HK_APPROVE_POLICIES in backend/session.h.
names=$(sed -n '/^#define HK_APPROVE_POLICIES/,/^$/s/^ *X([A-Z_]*, "\([a-z-]*\)").*/\1/p' backend/session.h)
bar=$(echo $names | sed 's/ /|/g')
sentence=$(echo $names | awk '{ for (i = 1; i <= NF; i++) printf "%s%s", i == 1 ? "" : i == NF ? " or " : ", ", $i }')
man_bar=$(echo $names | sed 's/ / | /g')
"$HONK" run --help > "$T/help" 2>&1
check approve_policies_in_help contains "$T/help" "--approve=$bar "
check approve_policies_in_man grep -qF -- ".BI \\-\\-approve= $man_bar" man/honk.1
"$HONK" run --approve=never t > "$T/out" 2> "$T/err" < /dev/null
check approve_policy_refused_with_the_choices [ "$(cat "$T/err")" = "honk: --approve takes $sentence" ]

# honk-protocol(7) lists every command (HK_SESSION_COMMANDS), every wait kind
# (HK_SESSION_WAITS) and every event kind (HK_EVENT_KINDS) a client can meet.
table() { sed -n "/^#define $1/,/^\$/s/^ *X([A-Z_]*, \"\([a-z_]*\)\".*/\1/p" "$2"; }
missing=
for c in $(table HK_SESSION_COMMANDS backend/session.h); do
    grep -qx -- ".B $c" man/honk-protocol.7 || missing="$missing command:$c"
done
for k in $(table HK_SESSION_WAITS backend/session.h) $(table HK_EVENT_KINDS backend/event.h); do
    grep -qF -- "\\fB$k\\fR" man/honk-protocol.7 || missing="$missing kind:$k"
done
if [ -z "$(table HK_SESSION_COMMANDS backend/session.h)" ]; then fail protocol_man_lists_commands_and_kinds "no commands read from backend/session.h"
elif [ -n "$missing" ]; then fail protocol_man_lists_commands_and_kinds "not in man/honk-protocol.7:$missing"
else ok protocol_man_lists_commands_and_kinds; fi
check honk_man_points_to_protocol_man grep -qx -- ".BR honk-protocol (7)," man/honk.1

# A family's internal header (patch_internal.h, repo_internal.h ...) is included
# only by that family's files (patch.c, patch_*.c ...), wherever they live.
find backend tui -name '*.[ch]' | while read -r f; do
    sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*_int\(ernal\)\{0,1\}\.h\)".*/\1/p' "$f" | while read -r h; do
        family=$(basename "$h" | sed 's/_int\(ernal\)\{0,1\}\.h$//')
        case $(basename "$f") in "$family".c | "$family"_*.[ch]) ;; *) echo "$f includes $h" ;; esac
    done
done > "$T/foreign"
if [ -s "$T/foreign" ]; then fail no_module_includes_another_modules_internal_header "$(paste -sd';' "$T/foreign")"
else ok no_module_includes_another_modules_internal_header; fi

# libhonk.a exports only hk_ names: a helper one file uses is static, one a
# family shares (patch_internal.h, repo_internal.h ...) carries the hk_ prefix.
lib=$HONK_BUILD/libhonk.a
if [ ! -f "$lib" ]; then fail libhonk_exports_only_hk_symbols "no $lib"
elif ! nm -g --defined-only "$lib" > "$T/nm" 2> "$T/nm.err"; then fail libhonk_exports_only_hk_symbols "nm: $(cat "$T/nm.err")"
else
    # (__odr_asan.NAME: AddressSanitizer's marker beside each global NAME)
    awk '/:$/ { obj = $1 } NF == 3 && $3 !~ /^(hk_|__odr_asan\.hk_)/ { print obj $3 }' "$T/nm" > "$T/unprefixed"
    if [ -s "$T/unprefixed" ]; then
        fail libhonk_exports_only_hk_symbols "$(wc -l < "$T/unprefixed") unprefixed: $(head -8 "$T/unprefixed" | paste -sd' ')"
    else ok libhonk_exports_only_hk_symbols; fi
fi
