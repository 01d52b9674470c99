package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Inputs of one check run.
type Inputs struct {
	ComposeFile           string
	ProjectDir            string
	EmulatorEnvFile       string
	SinglePartitionQueues []string
}

const (
	workerService           = "worker"
	emulatorService         = "emulator"
	emulatorProfile         = "emulator"
	searchAttributesService = "temporal-search-attributes"
	temporalService         = "temporal"
	// The worker's default drain (DEFAULT_SHUTDOWN_GRACE_MS in src/runtime/worker-config.ts).
	defaultShutdownGrace = 25 * time.Second
	// Time the worker needs after the drain to close its connection and exit.
	exitMargin = 5 * time.Second
)

// Worker variables that hold, or may hold, a credential: only pass-through references are allowed.
var secretName = regexp.MustCompile(`SECRET|TOKEN|PASSWORD|API_KEY|WEBHOOK`)

// The credentials without which the worker cannot run: compose must refuse to start without them.
var requiredSecrets = []string{"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"}

// check runs every load and invariant and returns every problem found.
func check(ctx context.Context, in Inputs) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// 1. The whole file, every profile on, with the offline env file: what `docker compose config` would do.
	all, err := loadProject(ctx, in, loadSpec{envFiles: []string{in.EmulatorEnvFile}, profiles: []string{"*"}})
	if err != nil {
		add("does not load with every profile and %s: %v", filepath.Base(in.EmulatorEnvFile), err)
		return problems
	}
	problems = append(problems, checkImages(all, in.ProjectDir)...)
	problems = append(problems, checkWorker(all)...)
	problems = append(problems, checkEmulator(all)...)
	problems = append(problems, checkDynamicConfig(all, in.ProjectDir, in.SinglePartitionQueues)...)
	problems = append(problems, checkTemporalServer(all)...)

	// 2. The env file alone (its COMPOSE_PROFILES) starts the emulator and points the worker at it.
	if offline, err := loadProject(ctx, in, loadSpec{envFiles: []string{in.EmulatorEnvFile}}); err != nil {
		add("does not load with %s alone: %v", filepath.Base(in.EmulatorEnvFile), err)
	} else {
		if _, ok := offline.Services[emulatorService]; !ok {
			add("%s does not enable the %q profile (set COMPOSE_PROFILES=%s in it)", filepath.Base(in.EmulatorEnvFile), emulatorProfile, emulatorProfile)
		}
		if w, ok := offline.Services[workerService]; ok {
			if got := envValue(w, "TENCENT_BATCH_ENDPOINT"); got != emulatorService+":9090" {
				add("with %s the worker's TENCENT_BATCH_ENDPOINT is %q, want %q", filepath.Base(in.EmulatorEnvFile), got, emulatorService+":9090")
			}
			if got := envValue(w, "TENCENT_BATCH_PROTOCOL"); got != "http://" {
				add("with %s the worker's TENCENT_BATCH_PROTOCOL is %q, want http://", filepath.Base(in.EmulatorEnvFile), got)
			}
		}
	}

	// 3. Real cloud: credentials from the shell (placeholders here), no profile: no emulator, the public endpoint.
	placeholders := map[string]string{}
	for _, name := range requiredSecrets {
		placeholders[name] = "placeholder-" + strings.ToLower(name)
	}
	if real, err := loadProject(ctx, in, loadSpec{env: placeholders}); err != nil {
		add("does not load with the credentials set and no profile: %v", err)
	} else {
		if _, ok := real.Services[emulatorService]; ok {
			add("service %q runs without --profile %s", emulatorService, emulatorProfile)
		}
		if w, ok := real.Services[workerService]; !ok {
			add("service %q does not run without a profile", workerService)
		} else {
			for name, want := range placeholders {
				if got := envValue(w, name); got != want {
					add("service %q does not pass %s through from the environment", workerService, name)
				}
			}
			if got := envValue(w, "TENCENT_BATCH_ENDPOINT"); got != "batch.tencentcloudapi.com" {
				add("without %s the worker's TENCENT_BATCH_ENDPOINT is %q, want batch.tencentcloudapi.com", filepath.Base(in.EmulatorEnvFile), got)
			}
			if got := envValue(w, "TENCENT_BATCH_PROTOCOL"); got != "https://" {
				add("without %s the worker's TENCENT_BATCH_PROTOCOL is %q, want https://", filepath.Base(in.EmulatorEnvFile), got)
			}
		}
	}

	// 4. No credentials at all: compose itself must refuse, naming the missing variable.
	if _, err := loadProject(ctx, in, loadSpec{}); err == nil {
		add("loads without TENCENTCLOUD_SECRET_ID/KEY: make them required (${VAR:?message}) so the stack cannot start without credentials")
	} else if !strings.Contains(err.Error(), "TENCENTCLOUD_SECRET_") {
		add("without credentials the load fails, but not on a missing TENCENTCLOUD_SECRET_* variable: %v", err)
	}

	// 5. The file as written: no literal credential in the worker's environment.
	if raw, err := loadRawModel(ctx, in); err != nil {
		add("does not load without interpolation: %v", err)
	} else {
		problems = append(problems, checkNoLiteralSecrets(raw)...)
	}
	return problems
}

func envValue(s types.ServiceConfig, name string) string {
	if v, ok := s.Environment[name]; ok && v != nil {
		return *v
	}
	return ""
}

func checkWorker(p *types.Project) []string {
	w, ok := p.Services[workerService]
	if !ok {
		return []string{fmt.Sprintf("no %q service", workerService)}
	}
	var problems []string
	if len(w.Profiles) > 0 {
		problems = append(problems, fmt.Sprintf("service %q is in profiles %v: it must run by default", workerService, w.Profiles))
	}
	if dep, ok := w.DependsOn[searchAttributesService]; !ok || dep.Condition != types.ServiceConditionCompletedSuccessfully {
		problems = append(problems, fmt.Sprintf("service %q must depend on %q with condition %s (workflows upsert those search attributes)",
			workerService, searchAttributesService, types.ServiceConditionCompletedSuccessfully))
	}
	grace := defaultShutdownGrace
	if v := envValue(w, "TENCENT_BATCH_RECOVERY_SHUTDOWN_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("service %q: TENCENT_BATCH_RECOVERY_SHUTDOWN_GRACE=%q is not a duration", workerService, v))
		} else {
			grace = d
		}
	}
	if w.StopGracePeriod == nil {
		problems = append(problems, fmt.Sprintf("service %q has no stop_grace_period: compose would SIGKILL it after 10 s, before its %s drain", workerService, grace))
	} else if got := time.Duration(*w.StopGracePeriod); got < grace+exitMargin {
		problems = append(problems, fmt.Sprintf("service %q: stop_grace_period %s is shorter than the %s drain + %s to exit", workerService, got, grace, exitMargin))
	}
	return problems
}

func checkEmulator(p *types.Project) []string {
	e, ok := p.Services[emulatorService]
	if !ok {
		return []string{fmt.Sprintf("no %q service", emulatorService)}
	}
	if !slices.Equal(e.Profiles, []string{emulatorProfile}) {
		return []string{fmt.Sprintf("service %q must be in the %q profile only, is in %v", emulatorService, emulatorProfile, e.Profiles)}
	}
	return nil
}

// A pass-through reference: $NAME, ${NAME}, ${NAME:?msg}, ${NAME?msg}, or ${NAME:-} / ${NAME-} (empty default).
// A reference that makes compose fail when the variable is unset or empty: ${NAME:?msg}.
var required = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*:\?[^}]*\}$`)

var passThrough = regexp.MustCompile(`^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?::?\?[^}]*|:?-)?\})$`)

func checkNoLiteralSecrets(model map[string]any) []string {
	services, _ := model["services"].(map[string]any)
	worker, _ := services[workerService].(map[string]any)
	env := map[string]any{}
	switch e := worker["environment"].(type) {
	case map[string]any:
		env = e
	case []any:
		for _, item := range e {
			s := fmt.Sprint(item)
			if name, value, found := strings.Cut(s, "="); found {
				env[name] = value
			} else {
				env[s] = nil
			}
		}
	}
	var problems []string
	for _, name := range requiredSecrets {
		value, ok := env[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("service %q does not pass %s through from the environment", workerService, name))
		} else if value != nil && passThrough.MatchString(fmt.Sprint(value)) && !required.MatchString(fmt.Sprint(value)) {
			problems = append(problems, fmt.Sprintf(
				"service %q: %s must be required (${%s:?message}): without it compose would start a worker that cannot authenticate",
				workerService, name, name))
		}
	}
	for name, value := range env {
		if !secretName.MatchString(name) || value == nil {
			continue // a bare name takes the value from compose's environment
		}
		m := passThrough.FindStringSubmatch(fmt.Sprint(value))
		if m == nil || (m[1] != name && m[2] != name) {
			// The value itself is never printed: it may be a real credential.
			problems = append(problems, fmt.Sprintf(
				"service %q sets %s to a literal value (not shown): secrets must come from the environment, as ${%s:?message} or ${%s:-}",
				workerService, name, name, name))
		}
	}
	slices.Sort(problems)
	return problems
}
