// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CloseFixture} from "./utils/CloseFixture.sol";
import {console} from "./utils/Test.sol";
import {ChannelSettlement} from "../src/ChannelSettlement.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

/**
 * @notice Gas of each action for channels of 2, 10 and 100 participants (threshold q = n - floor((n - 1) / 3), the
 * core's default quorum: 2, 7 and 67). Every
 * figure is printed as "n=<n> <action>: <gas>" and also checked against a generous ceiling, so a
 * regression fails the suite. For docs/GAS.md run, from contracts/:
 *   forge test --match-contract ChannelSettlementGasTest --isolate -vv
 * (--isolate runs every top-level call as its own transaction, so storage is cold as on chain.)
 */
contract ChannelSettlementGasTest is CloseFixture {
    uint256 internal n;

    function _record(string memory action, uint256 ceiling) internal view returns (uint256 used) {
        used = vm.lastCallGas().gasTotalUsed;
        console.log(string.concat("n=", vm.toString(n), " ", action), used);
        vm.assertLe(used, ceiling, action);
    }

    /// @dev Every participant holds 1000 tokens and 1 ether in every checkpoint of the bench.
    function _balances() internal view returns (Balance[] memory b) {
        b = new Balance[](2 * n);
        for (uint256 i = 0; i < n; ++i) {
            b[2 * i] = Balance(wallets[i], address(token), 1000);
            b[2 * i + 1] = Balance(wallets[i], address(0), 1 ether);
        }
    }

    function _fund(bytes32 id) internal {
        for (uint256 i = 0; i < n; ++i) {
            _deposit(id, i, 1000);
            _depositEth(id, i, 1 ether);
        }
    }

    function _bench(uint256 size) internal {
        n = size;
        uint16 t = uint16(n - (n - 1) / 3);
        IChannelSettlement.OpenParams memory p = _params(n, t);
        bytes[] memory auth = _authSigs(p);

        vm.prank(wallets[0]);
        settlement.open(p, auth);
        _record("open", 85_000 * n + 200_000);
        bytes32 id = settlement.computeChannelId(p);

        // first deposits of each kind (fresh storage), then the rest of the funding
        token.mint(wallets[0], 1000);
        vm.prank(wallets[0]);
        token.approve(address(settlement), 1000);
        vm.prank(wallets[0]);
        settlement.deposit(id, address(token), 1000);
        _record("deposit (ERC-20)", 150_000);
        vm.deal(wallets[0], 1 ether);
        vm.prank(wallets[0]);
        settlement.depositEth{value: 1 ether}(id);
        _record("depositEth", 100_000);
        for (uint256 i = 1; i < n; ++i) {
            _deposit(id, i, 1000);
            _depositEth(id, i, 1 ether);
        }
        vm.deal(wallets[1], 1 ether);
        vm.prank(wallets[1]);
        settlement.bond{value: 1 ether}(id);
        _record("bond", 60_000);
        // a rotation far above the bench's seqs and versions (issue #12): every later row is unaffected
        {
            uint64 far = uint64(1) << 40;
            address fresh = vm.addr(0xf00d);
            bytes memory walletSig =
                _sign(walletKeys[n - 1], settlement.hashSessionKeyRotation(id, wallets[n - 1], fresh, far, far));
            settlement.rotateSessionKey(id, wallets[n - 1], fresh, far, far, walletSig);
            _record("rotateSessionKey", 150_000);
        }

        Balance[] memory b = _balances();
        IChannelSettlement.Checkpoint memory cp1 = _cp(1, _root(id, 1, b));
        bytes[] memory sigs = _signCp(id, cp1, t);
        settlement.propose(id, cp1, sigs);
        _record("propose (t sigs)", 15_000 * uint256(t) + 150_000);

        IChannelSettlement.Checkpoint memory cp2 = _cp(2, _root(id, 2, b));
        sigs = _signCp(id, cp2, t);
        vm.warp(block.timestamp + 1 hours);
        settlement.propose(id, cp2, sigs);
        _record("challenge (t sigs)", 15_000 * uint256(t) + 100_000);

        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id);
        _record("finalize", 50_000);

        bytes32[] memory proof = _proof(id, 2, b, 0);
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 1000, proof);
        _record("claim", 120_000);
        vm.prank(wallets[0]);
        settlement.withdraw(address(token));
        _record("withdraw (ERC-20)", 80_000);
        proof = _proof(id, 2, b, 2);
        vm.prank(wallets[1]);
        settlement.claimAndWithdraw(id, address(token), 1000, proof);
        _record("claimAndWithdraw (ERC-20)", 150_000);
        // the bench's checkpoints credit no deposit (depositCount 0): record 1 (participant 0's ETH) is refundable
        settlement.refundDeposit(id, 1);
        _record("refundDeposit", 120_000);

        IChannelSettlement.BlockHeader memory x = _header(id, 1, 9, keccak256("x"));
        IChannelSettlement.BlockHeader memory y = _header(id, 1, 9, keccak256("y"));
        settlement.slash(id, x, y);
        _record("slash (DoubleSpending)", 30_000 * n + 150_000);

        _benchEvidenceExitEscape(p, id, t);
        _benchClose(p);
    }

    /**
     * @dev Cooperative closes (issue #12): n `Close` signatures, final at once. With every leaf pushed (at most
     * MAX_CLOSE_LEAVES, so not at n = 100) and without leaves (each participant then claims as after finalize).
     */
    function _benchClose(IChannelSettlement.OpenParams memory p) internal {
        Balance[] memory b = _balances();
        if (b.length <= ChannelSettlement(address(settlement)).MAX_CLOSE_LEAVES()) {
            p.nonce = 6;
            bytes32 pushed = _open(p);
            _fund(pushed);
            IChannelSettlement.Checkpoint memory cp = _cp(1, _root(pushed, 1, b));
            cp.depositCount = uint64(2 * n);
            bytes[] memory sigs = _signClose(pushed, cp, n);
            settlement.closeCooperatively(pushed, cp, sigs, _closeLeaves(pushed, 1, b));
            _record("closeCooperatively (n sigs, pays all 2n leaves)", 90_000 * n + 150_000);
        }
        p.nonce = 7;
        bytes32 pull = _open(p);
        _fund(pull);
        IChannelSettlement.Checkpoint memory cq = _cp(1, _root(pull, 1, b));
        cq.depositCount = uint64(2 * n);
        bytes[] memory qs = _signClose(pull, cq, n);
        settlement.closeCooperatively(pull, cq, qs, _noLeaves());
        _record("closeCooperatively (n sigs, no leaves)", 15_000 * n + 160_000);
    }

    /// @dev Censorship: participant 1's signature on a checkpoint that leaves forced record 0 out when it is due.
    function _benchCensorship(bytes32 id) internal {
        _bond(id, 1, 1 ether);
        IChannelSettlement.Checkpoint memory cc = _cp(8, keccak256("c"));
        cc.time = uint64((block.timestamp + settlement.forceInclusionDelay(id)) * 1000);
        bytes memory sc = _sign(sessionKeys[1], settlement.hashCheckpoint(id, cc));
        settlement.slashCensorship(id, cc, sc, 0);
        _record("slashCensorship (Censorship)", 30_000 * n + 150_000);
    }

    /// @dev The rest of the bench (a separate frame: one function would be too deep for the stack).
    function _benchEvidenceExitEscape(IChannelSettlement.OpenParams memory p, bytes32 id, uint16 t) internal {

        // an emergency exit from a fresh, open channel: t signatures, starts settlement (pays nothing yet)
        p.nonce = 2;
        bytes32 other = _open(p);
        _fund(other);
        Balance[] memory bo = _balances();
        IChannelSettlement.Checkpoint memory cpo = _cp(1, _root(other, 1, bo));
        bytes[] memory sigs = _signCp(other, cpo, t);
        bytes32[] memory proof = _proof(other, 1, bo, 0);
        vm.prank(wallets[0]);
        settlement.emergencyExit(other, cpo, sigs, address(token), 1000, proof);
        _record("emergencyExit (t sigs)", 15_000 * uint256(t) + 250_000);

        // the liveness escape of a third channel
        p.nonce = 3;
        bytes32 third = _open(p);
        // conflicting checkpoint signatures by a bonded participant (shared among the n - 1 others, like slash)
        _bond(third, 0, 1 ether);
        IChannelSettlement.Checkpoint memory ca = _cp(7, keccak256("a"));
        IChannelSettlement.Checkpoint memory cb = _cp(7, keccak256("b"));
        bytes memory sa = _sign(sessionKeys[0], settlement.hashCheckpoint(third, ca));
        bytes memory sb = _sign(sessionKeys[0], settlement.hashCheckpoint(third, cb));
        settlement.slashCheckpoints(third, ca, sa, cb, sb);
        _record("slashCheckpoints (InvalidStateSubmission)", 30_000 * n + 150_000);
        // forced inclusion: one transfer op (20 bytes, a core Transfer) posted on chain while the channel is open
        vm.prank(wallets[1]);
        settlement.forceInclude(third, hex"0300010000000000000000000000000000000000002a");
        _record("forceInclude (21-byte op)", 120_000);
        _benchCensorship(third);
        vm.prank(wallets[0]);
        settlement.escape(third);
        _record("escape", 80_000);
        p.nonce = 4;
        _benchNewEvidence(_open(p), t);
    }

    /// @dev Griefing and a stale proposal (issue #12) in a fourth channel, every participant bonded.
    function _benchNewEvidence(bytes32 id, uint16 t) internal {
        for (uint256 i = 0; i < n; ++i) {
            _bond(id, i, 1 ether);
        }
        // participant 1 proposes v1 although it signed v2 two hours before; participant 0 answers with v2
        IChannelSettlement.Checkpoint memory v1 = _cp(1, keccak256("v1"));
        IChannelSettlement.Checkpoint memory v2 = _cp(2, keccak256("v2"));
        IChannelSettlement.Checkpoint memory v3 = _cp(3, keccak256("v3"));
        bytes[] memory sigs = _signCp(id, v1, t);
        vm.prank(wallets[1]);
        settlement.propose(id, v1, sigs);
        sigs = _signCp(id, v2, t);
        vm.prank(wallets[0]);
        settlement.propose(id, v2, sigs);
        _record("challenge + Griefing (half the proposer's bond to the challenger)", 15_000 * uint256(t) + 200_000);
        // participant 0's v2 is stale too (it signed v3 long before): the whole bond, shared among v2's co-signers
        sigs = _signCp(id, v3, t);
        settlement.slashStaleProposal(id, v3, sigs);
        _record("slashStaleProposal (InvalidStateSubmission)", 15_000 * uint256(t) + 30_000 * n + 150_000);
    }

    /**
     * @dev The issue's anchor: a 2-party channel with one ERC-20 settled by one cooperative close that pays both
     * participants (target: at most 200,000 gas in total, base cost and calldata included with --isolate).
     */
    function test_Gas_CloseTwoPartyOneToken() public {
        n = 2;
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        p.tokens = new address[](1);
        p.tokens[0] = address(token);
        bytes32 id = _open(p);
        _deposit(id, 0, 1000);
        _deposit(id, 1, 1000);
        // as in real use, both wallets still hold some of the token (their balance slot is not fresh)
        token.mint(wallets[0], 1);
        token.mint(wallets[1], 1);
        Balance[] memory b = new Balance[](2);
        b[0] = Balance(wallets[0], address(token), 1300);
        b[1] = Balance(wallets[1], address(token), 700);
        IChannelSettlement.Checkpoint memory cp = _cp(9, _root(id, 9, b));
        cp.depositCount = 2;
        bytes[] memory sigs = _signClose(id, cp, 2);
        settlement.closeCooperatively(id, cp, sigs, _closeLeaves(id, 9, b));
        _record("closeCooperatively, 2 parties, one ERC-20 (the whole settlement)", 200_000);
        vm.assertEq(token.balanceOf(wallets[0]), 1301, "p0 paid");
        vm.assertEq(token.balanceOf(wallets[1]), 701, "p1 paid");
    }

    function test_Gas_2Participants() public {
        _bench(2);
    }

    function test_Gas_10Participants() public {
        _bench(10);
    }

    function test_Gas_100Participants() public {
        _bench(100);
    }
}
