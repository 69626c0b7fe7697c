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
