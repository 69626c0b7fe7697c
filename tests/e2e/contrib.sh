# The recipes in contrib/: the Kubernetes Job template and the GitHub Actions
# workflow parsed as YAML (PyYAML) for the fields they promise; the Job as
# honk-k8s-start fills it (a task with quotes and newlines survives); kubectl
# create --dry-run=client where kubectl can; what each starter does when its
# engine is missing or refuses; the ssh starter's commands on the worker.
. "$HONK_TOP/tests/lib.sh"
C=$HONK_TOP/contrib
if ! python3 -c 'import yaml' 2> /dev/null; then
    ok "contrib_yaml_skipped (python3-yaml is not installed: make deps)"
    exit 0
fi

# yaml_check NAME FILE PYTHON : runs PYTHON with d = the parsed file; ok when it prints nothing
yaml_check() {
    out=$(python3 - "$2" "$3" <<'PY' 2>&1
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
exec(sys.argv[2])
print("; ".join(problems))
PY
)
    if [ -z "$out" ]; then ok "$1"; else fail "$1" "$out"; fi
}

JOB_FIELDS='
need(d["apiVersion"] == "batch/v1" and d["kind"] == "Job", "not a batch/v1 Job")
s = d["spec"]
for k in ("backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
    need(isinstance(s.get(k), int) and not isinstance(s.get(k), bool), k + " is not a number")
need(s.get("backoffLimit") == 0, "backoffLimit is not 0")
p = s["template"]["spec"]
need(p.get("restartPolicy") == "Never", "restartPolicy is not Never")
c = p["containers"][0]
env = {e["name"]: e for e in c["env"]}
key = env.get("ANTHROPIC_API_KEY", {}).get("valueFrom", {}).get("secretKeyRef", {})
need(key.get("name") and key.get("key") == "ANTHROPIC_API_KEY", "the API key is not from a Secret")
need("value" not in env.get("ANTHROPIC_API_KEY", {}), "the API key has a value in the template")
vols = {v["name"]: v for v in p["volumes"]}
mounts = {m["name"]: m for m in c["volumeMounts"]}
dk = vols.get("deploy-key", {}).get("secret", {})
need(dk.get("secretName"), "the deploy key is not a Secret volume")
need("deploy-key" in mounts and mounts["deploy-key"]["mountPath"] in env.get("GIT_SSH_COMMAND", {}).get("value", ""),
     "GIT_SSH_COMMAND does not use the mounted deploy key")
script = " ".join(c.get("args", []))
need("git clone" in script and "honk run --push origin" in script, "the container does not clone and honk run --push origin")
for v in ("HONK_TASK_ID", "HONK_BASE", "HONK_REPO_URL", "HONK_TASK_B64"):
    need(v in env, v + " is not in the environment")
'
yaml_check k8s_job_template_fields "$C/kubernetes/honk-job.yaml" "$JOB_FIELDS"

yaml_check gh_workflow_fields "$C/github/honk-task.yml" '
on = d.get("on", d.get(True))
need("workflow_dispatch" in on and "task" in on["workflow_dispatch"]["inputs"], "no workflow_dispatch with a task input")
need("repository_dispatch" in on, "no repository_dispatch")
job = d["jobs"]["run"]
need(job["outputs"]["branch"] == "${{ steps.honk.outputs.branch }}", "the branch is not the job output")
step = [st for st in job["steps"] if st.get("id") == "honk"][0]
need("client_payload.task" in step["env"]["HONK_TASK"], "the task is not taken from client_payload")
need(step["env"]["ANTHROPIC_API_KEY"] == "${{ secrets.ANTHROPIC_API_KEY }}", "the API key is not a secret")
need("honk run --push origin" in step["run"] and "GITHUB_OUTPUT" in step["run"], "the step does not run honk run --push origin and set the output")
need("${{" not in step["run"], "the script has expressions pasted in (injection)")
need(d["permissions"]["contents"] == "write", "cannot push: contents is not write")
'

# honk-k8s-start fills the template: a fake kubectl keeps what it is given.
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "$@" > "%s/kubectl.args"\ncat > "%s/job.yaml"\necho job.batch/honk-$HONK_TASK_ID created\n' "$T" "$T" > "$T/bin/kubectl"
chmod +x "$T/bin/kubectl"
task=$(printf 'fix "the" add\n$(rm -rf /) `x`; it'"'"'s broken')
export HONK_TASK_ID=0123abcd HONK_BASE=0123456789abcdef0123456789abcdef01234567 HONK_REPO_URL=git@example.com:team/app.git
HONK_TASK=$task HONK_K8S_IMAGE=registry.example/honk:1 PATH="$T/bin:$PATH" "$C/kubernetes/honk-k8s-start" > "$T/out" 2> "$T/err"
check k8s_start_creates sh -c "[ $? -eq 0 ] && grep -q 'create -f -' '$T/kubectl.args' && grep -q 'honk-0123abcd created' '$T/out'"
yaml_check k8s_filled_job_fields "$T/job.yaml" "$JOB_FIELDS"
printf '%s' "$task" > "$T/task.want"
yaml_check k8s_filled_job_values "$T/job.yaml" '
import base64
env = {e["name"]: e.get("value") for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}
need(d["metadata"]["name"] == "honk-0123abcd", "the Job is not named after the task")
need(base64.b64decode(env["HONK_TASK_B64"]).decode() == open("'"$T"'/task.want").read(), "the task text did not survive")
need(env["HONK_REPO_URL"] == "git@example.com:team/app.git" and env["HONK_BASE"].startswith("0123456789"), "URL or base wrong")
need(d["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/honk:1", "the image is not filled")
'
# kubectl missing, or the image unset: a sentence and a non-zero status.
HONK_TASK=$task HONK_K8S_IMAGE=x KUBECTL=no-such-kubectl "$C/kubernetes/honk-k8s-start" > /dev/null 2> "$T/err"
check k8s_start_without_kubectl sh -c "[ $? -eq 127 ] && grep -q 'kubectl is not installed where honk serve runs' '$T/err'"
HONK_TASK=$task PATH="$T/bin:$PATH" "$C/kubernetes/honk-k8s-start" > /dev/null 2> "$T/err"
check k8s_start_without_image sh -c "[ $? -eq 2 ] && grep -q 'HONK_K8S_IMAGE is not set' '$T/err'"

# The real kubectl, where it can check the Job: client-side dry runs still
# ask an API server for its kinds, so without a cluster this is skipped.
if command -v kubectl > /dev/null 2>&1; then
    kubectl create --dry-run=client -o yaml -f "$T/job.yaml" > "$T/dry.yaml" 2> "$T/dry.err"
    rc=$?
    if [ $rc -eq 0 ]; then
        yaml_check kubectl_dry_run_accepts_job "$T/dry.yaml" "$JOB_FIELDS"
    elif grep -qE 'connection refused|unable to recognize|no configuration|server API group list|openapi' "$T/dry.err"; then
        ok "kubectl_dry_run_skipped (kubectl reaches no API server here: $(head -c 120 "$T/dry.err" | tr '\n' ' '))"
    else
        fail kubectl_dry_run_accepts_job "$(head -n 3 "$T/dry.err")"
    fi
else
    ok "kubectl_dry_run_skipped (kubectl is not installed)"
fi

# honk-gh-start: no token, or GitHub unreachable, is said and fails.
HONK_TASK=$task GH_TOKEN= HONK_GH_REPO=team/app "$C/github/honk-gh-start" 2> "$T/err"
check gh_start_without_token sh -c "[ $? -eq 2 ] && grep -q 'set HONK_GH_REPO (owner/name) and GH_TOKEN' '$T/err'"
HONK_TASK=$task GH_TOKEN=ghp-secret-1 HONK_GH_REPO=team/app HONK_GH_API=http://127.0.0.1:1 "$C/github/honk-gh-start" 2> "$T/err"
check gh_start_unreachable sh -c "[ $? -eq 1 ] && grep -q 'GitHub was not reached' '$T/err' && ! grep -q ghp-secret-1 '$T/err'"

# honk-ssh-start: a fake ssh runs the worker's side here, with a stub honk
# that records its arguments: the task arrives whole, as one argument.
printf '#!/bin/sh\nwhile [ "$1" = -o ]; do shift 2; done\necho "$1" > "%s/ssh.host"; shift\nexec "$@"\n' "$T" > "$T/bin/fake-ssh"
printf '#!/bin/sh\nfor a in "$@"; do printf "[%%s]\\n" "$a"; done > "%s/honk.args"\nexit 3\n' "$T" > "$T/bin/honk"
chmod +x "$T/bin/fake-ssh" "$T/bin/honk"
git init -q --bare "$T/r.git"
git -C "$T/r.git" symbolic-ref HEAD refs/heads/main
HONK_TASK=$task HONK_REPO_URL=$T/r.git HONK_SSH_HOST=worker1 HONK_SSH="$T/bin/fake-ssh" HOME=$T/worker PATH="$T/bin:$PATH" \
    "$C/ssh/honk-ssh-start" > /dev/null 2> "$T/err"
rc=$?
printf '[run]\n[--push]\n[origin]\n[--id]\n[0123abcd]\n[--base]\n[%s]\n[--approve=edits]\n[--]\n[%s]\n' "$HONK_BASE" "$task" > "$T/args.want"
check ssh_start_runs_honk_on_worker sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$T/ssh.host')\" = worker1 ] && cmp -s '$T/args.want' '$T/honk.args'"
HONK_TASK=$task HONK_SSH_HOST=worker1 HONK_SSH=false "$C/ssh/honk-ssh-start" > /dev/null 2>&1
check ssh_start_refused_fails [ $? -ne 0 ]
for f in "$C/kubernetes/honk-k8s-start" "$C/github/honk-gh-start" "$C/ssh/honk-ssh-start"; do
    check "sh_syntax_$(basename "$f")" sh -n "$f"
done
