package main

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// temporalWorkDir is the working directory of the temporalio/server image: a relative
// DYNAMIC_CONFIG_FILE_PATH is resolved against it.
const temporalWorkDir = "/etc/temporal"

// The keys that set a task queue's partition counts (server: common/dynamicconfig).
var partitionKeys = []string{"matching.numTaskqueueReadPartitions", "matching.numTaskqueueWritePartitions"}

// Constraint names the server accepts in a dynamic config file.
var knownConstraints = []string{"namespace", "namespaceId", "taskQueueName", "taskQueueType", "taskType", "shardId", "destination"}

// constrainedValue is one entry of a key: the server's file format is `key: [{value, constraints}]`.
type constrainedValue struct {
	Value       any            `yaml:"value"`
	Constraints map[string]any `yaml:"constraints"`
}

// checkDynamicConfig: the temporal service reads a dynamic config file that is mounted from this repository,
// parses in the server's format, and gives every rate-limited queue one read and one write partition.
func checkDynamicConfig(p *types.Project, projectDir string, queues []string) []string {
	s, ok := p.Services[temporalService]
	if !ok {
		return []string{fmt.Sprintf("no %q service", temporalService)}
	}
	target := envValue(s, "DYNAMIC_CONFIG_FILE_PATH")
	if target == "" {
		return []string{fmt.Sprintf("service %q does not set DYNAMIC_CONFIG_FILE_PATH: its task queues keep 4 partitions and the rate limits are split across them", temporalService)}
	}
	if !path.IsAbs(target) {
		target = path.Join(temporalWorkDir, target)
	}
	source := ""
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if rest, found := strings.CutPrefix(target, strings.TrimSuffix(v.Target, "/")); found && (rest == "" || strings.HasPrefix(rest, "/")) {
			source = v.Source + filepath.FromSlash(rest)
			break
		}
	}
	if source == "" {
		return []string{fmt.Sprintf("service %q: DYNAMIC_CONFIG_FILE_PATH %s is not in any bind mount", temporalService, target)}
	}
	if !filepath.IsAbs(source) {
		source = filepath.Join(projectDir, source)
	}
	text, err := os.ReadFile(source)
	if err != nil {
		return []string{fmt.Sprintf("service %q: dynamic config file: %v", temporalService, err)}
	}
	return checkDynamicConfigText(filepath.Base(source), text, queues)
}

func checkDynamicConfigText(name string, text []byte, queues []string) []string {
	var config map[string][]constrainedValue
	decoder := yaml.NewDecoder(bytes.NewReader(text))
	decoder.KnownFields(true)
	if err := decoder.Decode(&config); err != nil {
		return []string{fmt.Sprintf("%s is not a Temporal dynamic config file (key: [{value, constraints}]): %v", name, err)}
	}
	var problems []string
	keys := make([]string, 0, len(config))
	for key := range config {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		for i, entry := range config[key] {
			if entry.Value == nil {
				problems = append(problems, fmt.Sprintf("%s: %s[%d] has no value", name, key, i))
			}
			for c := range entry.Constraints {
				if !slices.Contains(knownConstraints, c) {
					problems = append(problems, fmt.Sprintf("%s: %s[%d]: unknown constraint %q (known: %s)", name, key, i, c, strings.Join(knownConstraints, ", ")))
				}
			}
		}
	}
	for _, key := range partitionKeys {
		for _, queue := range queues {
			if !hasSinglePartition(config[key], queue) {
				problems = append(problems, fmt.Sprintf("%s: %s has no entry {value: 1, constraints: {taskQueueName: %s}}", name, key, queue))
			}
		}
	}
	return problems
}

func hasSinglePartition(entries []constrainedValue, queue string) bool {
	for _, e := range entries {
		if len(e.Constraints) == 1 && e.Constraints["taskQueueName"] == queue && e.Value == 1 {
			return true
		}
	}
	return false
}
