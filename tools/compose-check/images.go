package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
)

// checkImages: every image is pinned to a version (a tag other than latest, or a digest), including the base
// images of every Dockerfile a service builds, and every built service names its image with a tag.
func checkImages(p *types.Project, projectDir string) []string {
	var problems []string
	names := p.ServiceNames()
	slices.Sort(names)
	dockerfiles := map[string]bool{}
	for _, name := range names {
		s := p.Services[name]
		if s.Image == "" && s.Build == nil {
			problems = append(problems, fmt.Sprintf("service %q has neither image nor build", name))
			continue
		}
		if s.Image == "" {
			problems = append(problems, fmt.Sprintf("service %q builds an image without naming it: add image: <name>:<version>", name))
		} else if why := unpinned(s.Image); why != "" {
			problems = append(problems, fmt.Sprintf("service %q: image %q %s", name, s.Image, why))
		}
		if s.Build != nil {
			dockerfiles[dockerfilePath(s.Build, projectDir)] = true
		}
	}
	paths := make([]string, 0, len(dockerfiles))
	for path := range dockerfiles {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, path := range paths {
		problems = append(problems, checkDockerfile(path)...)
	}
	return problems
}

// unpinned says why an image reference is not pinned to a version, or "" when it is.
func unpinned(image string) string {
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Sprintf("is not a valid image reference: %v", err)
	}
	if _, ok := ref.(reference.Digested); ok {
		return ""
	}
	tagged, ok := ref.(reference.Tagged)
	if !ok {
		return "has no tag: pin a version (an untagged image means latest)"
	}
	if tagged.Tag() == "latest" {
		return "uses the latest tag: pin a version"
	}
	return ""
}

func dockerfilePath(b *types.BuildConfig, projectDir string) string {
	context := b.Context
	if context == "" {
		context = "."
	}
	if !filepath.IsAbs(context) {
		context = filepath.Join(projectDir, context)
	}
	file := b.Dockerfile
	if file == "" {
		file = "Dockerfile"
	}
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(context, file)
}

var fromLine = regexp.MustCompile(`(?i)^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$`)

func checkDockerfile(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{fmt.Sprintf("build: cannot read %s: %v", path, err)}
	}
	defer f.Close()
	var problems []string
	stages := map[string]bool{}
	scanner := bufio.NewScanner(f)
	for line := 1; scanner.Scan(); line++ {
		m := fromLine.FindStringSubmatch(scanner.Text())
		if m == nil {
			continue
		}
		image := m[1]
		if m[2] != "" {
			stages[strings.ToLower(m[2])] = true
		}
		if image == "scratch" || stages[strings.ToLower(image)] && strings.ToLower(image) != strings.ToLower(m[2]) {
			continue
		}
		if why := unpinned(image); why != "" {
			problems = append(problems, fmt.Sprintf("%s:%d: FROM %s %s", filepath.Base(path), line, image, why))
		}
	}
	if err := scanner.Err(); err != nil {
		problems = append(problems, fmt.Sprintf("build: reading %s: %v", path, err))
	}
	return problems
}
