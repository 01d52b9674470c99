package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// projectName is fixed so that the result never depends on the checkout's directory name.
const projectName = "tencent-batch-recovery"

// loadSpec says how to load the file: which variables interpolation sees and which profiles are on.
// The process's own environment is never used, so a CI runner's variables cannot change the verdict.
type loadSpec struct {
	env      map[string]string
	envFiles []string
	// profiles enabled; nil means what COMPOSE_PROFILES (from env or envFiles) says, as `docker compose` does.
	profiles []string
}

func projectOptions(in Inputs, spec loadSpec, extra ...cli.ProjectOptionsFn) (*cli.ProjectOptions, error) {
	opts := []cli.ProjectOptionsFn{cli.WithName(projectName), cli.WithWorkingDirectory(in.ProjectDir)}
	var env []string
	for k, v := range spec.env {
		env = append(env, k+"="+v)
	}
	opts = append(opts, cli.WithEnv(env))
	if len(spec.envFiles) > 0 {
		opts = append(opts, cli.WithEnvFiles(spec.envFiles...), cli.WithDotEnv)
	}
	if spec.profiles == nil {
		opts = append(opts, cli.WithDefaultProfiles())
	} else {
		opts = append(opts, cli.WithProfiles(spec.profiles))
	}
	return cli.NewProjectOptions([]string{in.ComposeFile}, append(opts, extra...)...)
}

// loadProject loads, interpolates, validates against the Compose schema and checks consistency, as `docker
// compose config` does.
func loadProject(ctx context.Context, in Inputs, spec loadSpec) (*types.Project, error) {
	opts, err := projectOptions(in, spec)
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(ctx)
}

// loadRawModel loads the file without interpolation: values exactly as written, `${VAR}` references included.
func loadRawModel(ctx context.Context, in Inputs) (map[string]any, error) {
	opts, err := projectOptions(in, loadSpec{profiles: []string{"*"}}, cli.WithInterpolation(false))
	if err != nil {
		return nil, err
	}
	return opts.LoadModel(ctx)
}
