/**
 * Images for the podman and docker runners: the target's own `image` (pulled when the
 * engine does not have it), or one built from templates/containers/<distro>.Containerfile
 * and tagged with its recipe's key, so it is built once and reused until the recipe
 * changes or --refresh asks for a new one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import { logLine, runCaptured, runLogged, tailOf, whyLine } from './exec.js';
import { once, type PrepareContext } from './cache.js';
import { imageRecipe } from './recipes.js';
import { engineBuildCommand, engineImageExistsCommand, enginePullCommand } from './runners.js';
import type { Target } from './targets.js';

type ImageContext = Pick<PrepareContext, 'templatesDir' | 'refresh' | 'once' | 'log' | 'progress'>;


export function ensureImage(engine: 'podman' | 'docker', t: Target, ctx: ImageContext): Promise<string> {
  const exists = async (ref: string) => (await runCaptured(engineImageExistsCommand(engine, ref), { timeoutMs: 60_000 })).exitCode === 0;
  const image = t.image;
  if (image !== undefined) {
    return once(ctx, `image:${engine}:${image}`, async () => {
      if (!ctx.refresh && (await exists(image))) return image;
      ctx.progress(`pulling ${image}`);
      const code = await runLogged(enginePullCommand(engine, image), ctx.log);
      if (code !== 0) throw new InputError(`target ${t.name}: image ${image} cannot be pulled (${engine} pull, exit ${code}): ${whyLine(tailOf(ctx.log, 40))}; log: ${ctx.log}`);
      return image;
    });
  }
  const recipe = imageRecipe(t, ctx.templatesDir);
  return once(ctx, `image:${engine}:${recipe.tag}`, async () => {
    if (!ctx.refresh && (await exists(recipe.tag))) return recipe.tag;
    const context = mkdtempSync(path.join(tmpdir(), 'quirkctl-image-'));
    try {
      const file = path.join(context, 'Containerfile');
      writeFileSync(file, recipe.containerfile);
      logLine(ctx.log, `# building image ${recipe.tag} for target ${t.name} from:\n${recipe.containerfile}`);
      ctx.progress(`building image ${recipe.tag}`);
      const code = await runLogged(engineBuildCommand(engine, { tag: recipe.tag, key: recipe.key, file, context, refresh: ctx.refresh }), ctx.log);
      if (code !== 0) throw new InputError(`target ${t.name}: its image cannot be built (${engine} build, exit ${code}): ${whyLine(tailOf(ctx.log, 40))}; log: ${ctx.log}`);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
    return recipe.tag;
  });
}
