package main

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
)

const (
	schemaService     = "temporal-schema"
	serverImage       = "temporalio/server"
	adminToolsImage   = "temporalio/admin-tools"
	autoSetupImage    = "temporalio/auto-setup"
	schemaToolCommand = "temporal-sql-tool"
)

// checkTemporalServer: the server runs the production image (not auto-setup, which Temporal says not to use in
// production), after a one-shot schema job with the admin tools of the same server version has completed.
func checkTemporalServer(p *types.Project) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	server, ok := p.Services[temporalService]
	if !ok {
		return []string{fmt.Sprintf("no %q service", temporalService)}
	}
	serverRepo, serverTag := imageParts(server.Image)
	if serverRepo == autoSetupImage {
		add("service %q runs %s: use %s with the %q job (auto-setup is not for production)", temporalService, autoSetupImage, serverImage, schemaService)
	} else if serverRepo != serverImage {
		add("service %q runs %q, want %s:<version>", temporalService, server.Image, serverImage)
	}
	if dep, ok := server.DependsOn[schemaService]; !ok || dep.Condition != types.ServiceConditionCompletedSuccessfully {
		add("service %q must depend on %q with condition %s (the schema must be in place before the server starts)",
			temporalService, schemaService, types.ServiceConditionCompletedSuccessfully)
	}
	schema, ok := p.Services[schemaService]
	if !ok {
		add("no %q service (one-shot: create the databases and apply the schema with %s)", schemaService, schemaToolCommand)
		return problems
	}
	schemaRepo, schemaTag := imageParts(schema.Image)
	if schemaRepo != adminToolsImage {
		add("service %q runs %q, want %s:<server version>-...", schemaService, schema.Image, adminToolsImage)
	} else if serverTag != "" && schemaTag != serverTag && !strings.HasPrefix(schemaTag, serverTag+"-") {
		add("service %q: admin tools %s are not for server %s", schemaService, schemaTag, serverTag)
	}
	if !strings.Contains(strings.Join(append(schema.Entrypoint, schema.Command...), " "), schemaToolCommand) {
		add("service %q does not run %s", schemaService, schemaToolCommand)
	}
	if schema.Restart != "" && schema.Restart != types.RestartPolicyNo {
		add("service %q is one-shot: restart must be \"no\", not %q", schemaService, schema.Restart)
	}
	return problems
}

// imageParts splits an image reference into its familiar repository name and tag ("" when it has none).
func imageParts(image string) (string, string) {
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return image, ""
	}
	tag := ""
	if tagged, ok := ref.(reference.Tagged); ok {
		tag = tagged.Tag()
	}
	return reference.FamiliarName(ref), tag
}
